//go:build integration

package pgstore_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// lockPID returns the pid of the session holding the advisory lock taken
// by the sessions named name.
func lockPID(t *testing.T, s *pgstore.Store, name string) int {
	t.Helper()
	var pid int
	require.NoError(t, s.Pool().QueryRow(context.Background(), `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() AND a.application_name = $1`, name).Scan(&pid))
	return pid
}

// A Lock whose session ends while it is held (pg_terminate_backend here; a
// restart or failover of the server alike) is released on the server, and
// another instance may take it at once. Its holder was not told and went
// on; now the function given with WithLockLost is called with
// ErrLockLost.
func TestLostLockIsReported(t *testing.T) {
	ctx := context.Background()
	name := "lost_" + strings.ToLower(rand.Text()[:12])
	holder := named(t, name)
	lost := make(chan error, 2)
	unlock, err := holder.Lock(pgstore.WithLockLost(ctx, func(err error) { lost <- err }), broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err)
	_, err = holder.Pool().Exec(ctx, "SELECT pg_terminate_backend($1)", lockPID(t, holder, name))
	require.NoError(t, err)

	select {
	case err := <-lost:
		assert.ErrorIs(t, err, pgstore.ErrLockLost)
		assert.Contains(t, err.Error(), "57P01", "the server's reason: admin_shutdown")
	case <-time.After(time.Minute):
		t.Fatal("the loss was not reported")
	}
	unlock() // its connection is gone; this only returns it to the pool
	assert.Empty(t, lost, "reported once")

	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	again, err := holder.Lock(wctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err, "the lost lock is free")
	again()
}

// A Lock unlocked as usual reports no loss, and its connection, read while
// the lock was held, goes back to the pool usable: unlock ends the read,
// then the transaction, not the connection.
func TestUnlockedLockIsNotReportedLost(t *testing.T) {
	ctx := context.Background()
	name := "kept_" + strings.ToLower(rand.Text()[:12])
	u, err := url.Parse(newSchema(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	q.Set("pool_max_conns", "2")
	u.RawQuery = q.Encode()
	s := migratedOn(t, u.String())

	lost := make(chan error, 1)
	lctx := pgstore.WithLockLost(ctx, func(err error) { lost <- err })
	unlock, err := s.Lock(lctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err)
	pid := lockPID(t, s, name)
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil), "the holder's calls run meanwhile")
	unlock()
	assert.Empty(t, lost, "no loss reported")

	// The pool's two connections: the lock's is one of them, not replaced.
	var pids []uint32
	for range 2 {
		c, err := s.Pool().Acquire(ctx)
		require.NoError(t, err)
		pids = append(pids, c.Conn().PgConn().PID())
		assert.NoError(t, c.Ping(ctx))
		defer c.Release() // until both are acquired
	}
	assert.Contains(t, pids, uint32(pid), "the lock's connection is kept")
}
