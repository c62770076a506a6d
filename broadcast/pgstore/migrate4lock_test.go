//go:build integration

package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// Migration 4 builds its index of hashes while the receipts being saved
// wait, as its file says; the reads of the receipts (Receipt, SentTime,
// Prune, a release before still running) go on. It dropped schema 3's
// index first, whose ACCESS EXCLUSIVE lock, held until Migrate commits,
// made every read of the table wait for the whole build, and from the
// moment it waited for the writes under way (PostgreSQL docs, "Explicit
// Locking": DROP INDEX takes ACCESS EXCLUSIVE on the table, CREATE INDEX
// SHARE, which a SELECT's ACCESS SHARE does not conflict with).
func TestMigration4LetsReceiptsBeReadWhileItBuilds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool := connect(t, newSchema(t))
	require.NoError(t, pgstore.MigrateTo(ctx, pool, 3), "as the release before left it")
	old, err := pgstore.NewKnowing(ctx, pool, 3)
	require.NoError(t, err)
	require.NoError(t, old.SaveReceipt(ctx, "i1", "u1", broadcast.Receipt{Channel: "x", ID: "post-1"}))

	// A save under way: the index's build waits for it.
	writer, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = writer.Rollback(context.Background()) }()
	_, err = writer.Exec(ctx, `INSERT INTO outagecast_receipts (key, update_id, channel, receipt, incident_id)
		VALUES ('k2', 'u2', 'x', '{"ID":"post-2"}', 'i1')`)
	require.NoError(t, err)
	var writerPID uint32
	require.NoError(t, writer.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&writerPID))

	done := make(chan error, 1)
	go func() { done <- pgstore.MigrateTo(ctx, pool, 4) }()
	require.Eventually(t, func() bool {
		var waiting bool
		err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE $1 = ANY(pg_blocking_pids(pid)))`, writerPID).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "Migrate waits for the save under way")

	// A read now: NOWAIT fails at once where it would wait, behind the
	// lock Migrate waits for too.
	reader, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = reader.Exec(ctx, "LOCK TABLE outagecast_receipts IN ACCESS SHARE MODE NOWAIT")
	assert.NoError(t, err, "a read of the receipts goes on while migration 4 waits for the saves, then builds")
	require.NoError(t, reader.Rollback(ctx))

	require.NoError(t, writer.Commit(ctx))
	require.NoError(t, <-done)
	var indexes []string
	rows, err := pool.Query(ctx, `SELECT indexname FROM pg_indexes
		WHERE tablename = 'outagecast_receipts' AND schemaname = current_schema() ORDER BY indexname`)
	require.NoError(t, err)
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		indexes = append(indexes, name)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"outagecast_receipts_incident_hash", "outagecast_receipts_pkey", "outagecast_receipts_saved_at"}, indexes)
	s, err := pgstore.NewKnowing(ctx, pool, 4)
	require.NoError(t, err)
	r, ok, err := s.Receipt(ctx, "u1", "x")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "post-1", r.ID, "the receipt saved before the migration")
}
