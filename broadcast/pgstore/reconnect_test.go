//go:build integration

package pgstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// brokenConnections returns a Store whose pool's connections carry a name
// of their own, and a function that ends every one of them from another
// session, as a restart of the server or a failover does: the pool still
// holds them, and its next statement on one of them fails.
func brokenConnections(t *testing.T) (*pgstore.Store, func()) {
	t.Helper()
	ctx := context.Background()
	name := "victim_" + strings.ToLower(t.Name())
	s := named(t, name)
	admin := connect(t, baseDSN(t))
	return s, func() {
		t.Helper()
		// Several connections in the pool, all idle, all about to break.
		conns := make([]interface{ Release() }, 0, 3)
		for range 3 {
			c, err := s.Pool().Acquire(ctx)
			require.NoError(t, err)
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Release()
		}
		var n int
		require.NoError(t, admin.QueryRow(ctx,
			"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", name).Scan(&n))
		require.Positive(t, n, "connections ended")
	}
}

// A statement on a connection the server ended (a restart, a failover, a
// network failure) runs again on a new one: a delivery's mark or receipt
// written just after PostgreSQL restarted is recorded, not reported as
// ErrNotRecorded (which makes the Broadcaster give the delivery up as a
// failure although it happened), and a read does not fail an attempt.
func TestStatementsSurviveBrokenConnections(t *testing.T) {
	ctx := context.Background()
	s, breakAll := brokenConnections(t)
	rcpt := broadcast.Receipt{Channel: "x", ID: "post-1", UpdateID: "u1"}

	breakAll()
	assert.NoError(t, s.Mark(ctx, "u1", "x", "", nil), "mark")
	breakAll()
	assert.NoError(t, s.SaveReceipt(ctx, "i1", "u1", rcpt), "save receipt")
	breakAll()
	done, _, err := s.Done(ctx, "u1", "x", "")
	assert.NoError(t, err, "done")
	assert.True(t, done)
	breakAll()
	th, err := s.Thread(ctx, "i1", "x")
	assert.NoError(t, err, "thread")
	assert.Equal(t, "post-1", th.Last.ID)
	breakAll()
	_, ok, err := s.Receipt(ctx, "u1", "x")
	assert.NoError(t, err, "receipt")
	assert.True(t, ok)
	breakAll()
	if unlock, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"}); assert.NoError(t, err, "lock") {
		unlock()
	}
	breakAll()
	_, err = s.Prune(ctx, rcpt.Time)
	assert.NoError(t, err, "prune")
}
