//go:build integration

package pgstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A database migrated by the version before (schema version 1, whose
// outagecast_threads had no index on updated_at) is brought up to date by
// Migrate, its rows kept; and Prune's statement on the threads can then
// find the old rows through the index instead of reading the whole table.
func TestMigrateUpgradesVersion1(t *testing.T) {
	ctx := context.Background()
	pool := connect(t, newSchema(t))
	require.NoError(t, pgstore.MigrateTo(ctx, pool, 1), "as the version before left it")
	_, err := pool.Exec(ctx, `INSERT INTO outagecast_threads (key, incident_id, channel, root, last)
		VALUES ('k', 'i1', 'x', '{"ID":"post-1"}', '{"ID":"post-1"}')`)
	require.NoError(t, err)
	_, err = pgstore.New(ctx, pool)
	require.ErrorIs(t, err, pgstore.ErrNotMigrated, "the old schema is not used as it is")

	require.NoError(t, pgstore.Migrate(ctx, pool))
	_, err = pgstore.New(ctx, pool)
	require.NoError(t, err)
	var rows int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM outagecast_threads").Scan(&rows))
	assert.Equal(t, 1, rows, "the thread written before the upgrade is kept")

	// The planner reads a table this small whole whatever its indexes;
	// with sequential scans priced out, it takes the index if there is one
	// (PostgreSQL docs, "Planner Method Configuration", enable_seqscan).
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, "SET LOCAL enable_seqscan = off")
	require.NoError(t, err)
	plan := explain(t, tx, pgstore.PruneQuery("outagecast_threads"), time.Now())
	assert.Contains(t, plan, "outagecast_threads_updated_at", "Prune's statement uses the index:\n%s", plan)
	assert.Contains(t, plan, "outagecast_receipts_incident_hash", "Prune finds a thread's receipts by index:\n%s", plan)
}

// explain returns the plan of sql with args.
func explain(t *testing.T, tx pgx.Tx, sql string, args ...any) string {
	t.Helper()
	rows, err := tx.Query(context.Background(), "EXPLAIN "+sql, args...)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return strings.Join(lines, "\n")
}

// The schema's current version is what New checks and Migrate reaches.
func TestMigrateReachesSchemaVersion(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	var v int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT max(version) FROM outagecast_migrations").Scan(&v))
	assert.Equal(t, pgstore.SchemaVersion, v)
	require.NoError(t, s.SaveReceipt(ctx, "i1", "u1", broadcast.Receipt{Channel: "x", ID: "post-1"}))
}

// In a rolling deploy the release before (schema version 1) still runs,
// and restarts, after the new one migrated the database to 2; rolling back
// after Migrate does the same. Migration 2 only adds an index, which
// version 1 neither needs nor hinders, so it says the schema stays
// compatible from version 1 on: the release before opens the database, and
// its Migrate (run at each start) leaves it as it is.
func TestOlderReleaseUsesACompatibleNewerSchema(t *testing.T) {
	ctx := context.Background()
	pool := connect(t, newSchema(t))
	require.NoError(t, pgstore.Migrate(ctx, pool))

	require.NoError(t, pgstore.MigrateTo(ctx, pool, 1), "the release before migrates at start")
	old, err := pgstore.NewKnowing(ctx, pool, 1)
	require.NoError(t, err, "the release before")
	require.NoError(t, old.SaveReceipt(ctx, "i1", "u1", broadcast.Receipt{Channel: "x", ID: "post-1"}))
	_, err = pgstore.New(ctx, pool)
	require.NoError(t, err, "the new release, after the old one's Migrate")
	var v int
	require.NoError(t, pool.QueryRow(ctx, "SELECT max(version) FROM outagecast_migrations").Scan(&v))
	assert.Equal(t, pgstore.SchemaVersion, v, "the old release's Migrate downgrades nothing")
}

// A migration that is not compatible with the versions before (a changed
// column) makes the releases that know only those refuse the database,
// naming its version and theirs.
func TestOlderReleaseRefusesAnIncompatibleNewerSchema(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name           string
		compatibleFrom int // of the future migration 6
		known          int // the release's SchemaVersion
		refused        string
	}{
		{"compatible from 6, release knows 5", 6, 5, "version 6 (usable from version 6 on), this package knows up to 5"},
		{"compatible from 2, release knows 1", 2, 1, "version 6 (usable from version 2 on), this package knows up to 1"},
		{"compatible from 2, release knows 2", 2, 2, ""},
		{"compatible from 1, release knows 1", 1, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := connect(t, newSchema(t))
			require.NoError(t, pgstore.Migrate(ctx, pool))
			_, err := pool.Exec(ctx, `INSERT INTO outagecast_migrations (version, name, compatible_from)
				VALUES (6, '0006_future.sql', $1)`, tc.compatibleFrom)
			require.NoError(t, err)

			_, err = pgstore.NewKnowing(ctx, pool, tc.known)
			migrateErr := pgstore.MigrateTo(ctx, pool, tc.known)
			if tc.refused == "" {
				require.NoError(t, err)
				require.NoError(t, migrateErr)
				return
			}
			require.ErrorIs(t, err, pgstore.ErrSchemaNewer)
			assert.Contains(t, err.Error(), tc.refused)
			require.ErrorIs(t, migrateErr, pgstore.ErrSchemaNewer, "never downgrades")
			assert.Contains(t, migrateErr.Error(), tc.refused)
		})
	}
}

// Two replicas of different releases, the new one and the one before,
// migrate the same database at once, as in a rolling deploy whose old
// replica restarts: both succeed, whichever runs first, and both open it.
func TestConcurrentMigrationsOfTwoReleases(t *testing.T) {
	ctx := context.Background()
	for range 5 {
		dsn := newSchema(t)
		var wg sync.WaitGroup
		for _, v := range []int{1, pgstore.SchemaVersion} {
			wg.Go(func() {
				pool, err := pgxpool.New(ctx, dsn)
				if !assert.NoError(t, err) {
					return
				}
				defer pool.Close()
				assert.NoError(t, pgstore.MigrateTo(ctx, pool, v), "release knowing %d", v)
			})
		}
		wg.Wait()
		pool := connect(t, dsn)
		for _, v := range []int{1, pgstore.SchemaVersion} {
			_, err := pgstore.NewKnowing(ctx, pool, v)
			require.NoError(t, err, "release knowing %d", v)
		}
	}
}

// A database migrated by a version of this package from before
// compatible_from was recorded has a table without the column: New reads it
// as compatible from its own version on only, and Migrate adds the column.
func TestMigrateUpgradesATableWithoutCompatibleFrom(t *testing.T) {
	ctx := context.Background()
	pool := connect(t, newSchema(t))
	require.NoError(t, pgstore.MigrateTo(ctx, pool, 1))
	_, err := pool.Exec(ctx, "ALTER TABLE outagecast_migrations DROP COLUMN compatible_from")
	require.NoError(t, err)
	_, err = pgstore.New(ctx, pool)
	require.ErrorIs(t, err, pgstore.ErrNotMigrated)
	assert.Contains(t, err.Error(), "version 1, this package needs 5")
	_, err = pgstore.NewKnowing(ctx, pool, 1)
	require.NoError(t, err, "the release that migrated it")

	require.NoError(t, pgstore.Migrate(ctx, pool))
	assert.True(t, hasCompatibleFrom(t, pool))
	_, err = pgstore.New(ctx, pool)
	require.NoError(t, err)
	_, err = pgstore.NewKnowing(ctx, pool, 1)
	require.NoError(t, err, "a release knowing 1 that reads compatible_from")

	// With no migration to apply, the column is added all the same.
	_, err = pool.Exec(ctx, "ALTER TABLE outagecast_migrations DROP COLUMN compatible_from")
	require.NoError(t, err)
	require.NoError(t, pgstore.Migrate(ctx, pool))
	assert.True(t, hasCompatibleFrom(t, pool), "added on a database at SchemaVersion")
}

// hasCompatibleFrom reports whether pool's outagecast_migrations has the
// column compatible_from.
func hasCompatibleFrom(t *testing.T, pool *pgxpool.Pool) bool {
	t.Helper()
	var has bool
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_attribute
		WHERE attrelid = 'outagecast_migrations'::regclass AND attname = 'compatible_from' AND NOT attisdropped)`).Scan(&has))
	return has
}

// Every instance runs Migrate at start. On a database already migrated it
// changes nothing, so it takes no table lock that waits for the readers of
// outagecast_migrations (and makes every reader after it wait): ALTER TABLE
// takes an ACCESS EXCLUSIVE lock unless noted, ADD COLUMN IF NOT EXISTS on
// a column already there included (PostgreSQL docs, ALTER TABLE: "An ACCESS
// EXCLUSIVE lock is acquired unless explicitly noted"; an ACCESS SHARE lock,
// a SELECT's, conflicts with it: "Explicit Locking", Table 13.2).
func TestMigrateOnAMigratedDatabaseWaitsForNoReader(t *testing.T) {
	ctx := context.Background()
	pool := connect(t, newSchema(t))
	require.NoError(t, pgstore.Migrate(ctx, pool))

	reader, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer reader.Rollback(ctx)
	var readerPID uint32
	require.NoError(t, reader.QueryRow(ctx, "SELECT pg_backend_pid() FROM outagecast_migrations LIMIT 1").Scan(&readerPID))

	done := make(chan error, 1)
	go func() { done <- pgstore.Migrate(ctx, pool) }()
	// Either Migrate returns, or a session waits for the reader's lock
	// (pg_blocking_pids), which it holds until the test ends.
	for {
		select {
		case err := <-done:
			require.NoError(t, err)
			_, err = pgstore.New(ctx, pool)
			require.NoError(t, err)
			return
		case <-time.After(10 * time.Millisecond):
		}
		var blocked bool
		require.NoError(t, pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE $1 = ANY(pg_blocking_pids(pid)))`, readerPID).Scan(&blocked))
		if blocked {
			require.NoError(t, reader.Rollback(ctx))
			require.NoError(t, <-done)
			t.Fatal("Migrate waited for a reader of outagecast_migrations on a migrated database")
		}
	}
}
