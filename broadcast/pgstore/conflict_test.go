//go:build integration

package pgstore_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// On a database whose default_transaction_isolation is serializable (or
// repeatable read), a statement that finds its row changed by another
// session since it began is rolled back with a serialization failure
// (SQLSTATE 40001): two instances marking or saving the same row at once.
// Nothing of it took effect, and the Store runs it again: Mark and
// SaveReceipt failed, and the Broadcaster reported the delivery as not
// recorded.
func TestSerializationFailureIsTriedAgain(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(newSchema(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("default_transaction_isolation", "serializable")
	u.RawQuery = q.Encode()
	s := migratedOn(t, u.String())
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	r := broadcast.Receipt{Channel: "x", ID: "post-1"}
	require.NoError(t, s.SaveReceipt(ctx, "i1", "u1", r))

	for _, tc := range []struct {
		name, change, waiting string
		call                  func() error
	}{
		{"Mark", "UPDATE outagecast_marks SET failure = 'other'", "INSERT INTO outagecast_marks%",
			func() error { return s.Mark(ctx, "u1", "x", "", nil) }},
		{"SaveReceipt", "UPDATE outagecast_threads SET updated_at = now()", "WITH receipt AS%",
			func() error { return s.SaveReceipt(ctx, "i1", "u2", broadcast.Receipt{Channel: "x", ID: "post-2"}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other, err := s.Pool().Begin(ctx)
			require.NoError(t, err)
			defer other.Rollback(ctx)
			_, err = other.Exec(ctx, tc.change)
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() { done <- tc.call() }()
			// The call waits for the row the other session changed, and
			// finds it changed once that commits.
			require.Eventually(t, func() bool {
				var waiting bool
				err := s.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
					WHERE wait_event_type = 'Lock' AND query LIKE $2 AND datname = current_database()
					AND pg_blocking_pids(pid) @> ARRAY[$1::int])`, other.Conn().PgConn().PID(), tc.waiting).Scan(&waiting)
				return err == nil && waiting
			}, 10*time.Second, 10*time.Millisecond, "the call waits for the row")
			require.NoError(t, other.Commit(ctx))
			assert.NoError(t, <-done)
		})
	}
	done, failure, err := s.Done(ctx, "u1", "x", "")
	require.NoError(t, err)
	assert.True(t, done)
	assert.Empty(t, failure, "the mark written again")
	th, err := s.Thread(ctx, "i1", "x")
	require.NoError(t, err)
	assert.Equal(t, "post-2", th.Last.ID, "the receipt saved again")
}
