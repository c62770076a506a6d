//go:build integration

package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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
	plan := explain(t, tx, pgstore.PruneQuery("outagecast_threads", "updated_at"), time.Now())
	assert.Contains(t, plan, "outagecast_threads_updated_at", "Prune's statement uses the index:\n%s", plan)
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
