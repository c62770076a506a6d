//go:build integration

package pgstore_test

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// readOnlyDSN is dsn whose sessions are read-only, as on a standby or a
// server whose default_transaction_read_only is on.
func readOnlyDSN(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("default_transaction_read_only", "on") // pgx sends it as a run-time parameter
	u.RawQuery = q.Encode()
	return u.String()
}

// New refuses a read-only server (a standby, an old primary after a
// failover, a server that went read-only on a full disk), saying so and
// what to do: it took it, and every delivery's mark then failed, after its
// post was made, with the server's "cannot execute INSERT in a read-only
// transaction".
func TestNewRefusesAReadOnlyServer(t *testing.T) {
	ctx := context.Background()
	dsn := newSchema(t)
	require.NoError(t, pgstore.Migrate(ctx, connect(t, dsn)))
	ro := readOnlyDSN(t, dsn)
	pool := connect(t, ro)
	require.NoError(t, pgstore.Migrate(ctx, pool), "a migrated database: Migrate only reads")

	_, err := pgstore.New(ctx, pool)
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	assert.EqualError(t, err, "pgstore: server is read-only (default_transaction_read_only is on): "+
		"point the connection string at the primary, or add target_session_attrs=read-write to it, "+
		"listing every server's host (its connections then go to whichever is the primary)")

	_, err = pgstore.Open(ctx, ro) // its pool closed again: goleak
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
}

// failingOver is a Store on a pool whose new connections are read-only
// while *readOnly holds: the server they reach is a read-only old primary
// until the failover ends, then the new primary.
func failingOver(t *testing.T, opts ...pgstore.Option) (*pgstore.Store, *pgxpool.Pool, *atomic.Bool) {
	ctx := context.Background()
	dsn := newSchema(t)
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	readOnly := new(atomic.Bool)
	cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		if readOnly.Load() {
			cc.RuntimeParams["default_transaction_read_only"] = "on"
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	require.NoError(t, pgstore.Migrate(ctx, pool))
	s, err := pgstore.New(ctx, pool, opts...)
	require.NoError(t, err)
	return s, pool, readOnly
}

// readOnlyConns leaves n idle connections of pool, all on the read-only
// server, and returns their sessions' pids.
func readOnlyConns(t *testing.T, pool *pgxpool.Pool, readOnly *atomic.Bool, n int) []int32 {
	ctx := context.Background()
	readOnly.Store(true)
	pool.Reset()
	var conns []*pgxpool.Conn
	var pids []int32
	for range n {
		c, err := pool.Acquire(ctx)
		require.NoError(t, err)
		var ro string
		require.NoError(t, c.QueryRow(ctx, "SHOW transaction_read_only").Scan(&ro))
		require.Equal(t, "on", ro)
		conns = append(conns, c)
		pids = append(pids, int32(c.Conn().PgConn().PID()))
	}
	for _, c := range conns {
		c.Release()
	}
	return pids
}

// A write that meets a read-only server (a failover under way: the pool's
// connections are still on the old primary) is tried again on a new
// connection, which reaches the new primary, and is recorded: it failed at
// once with SQLSTATE 25006, and the delivery was reported not recorded.
func TestWriteDuringAFailoverToReadOnlyIsRecorded(t *testing.T) {
	ctx := context.Background()
	s, pool, readOnly := failingOver(t)
	readOnlyConns(t, pool, readOnly, 3)
	readOnly.Store(false) // the failover is done: new connections reach the primary

	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	done, _, err := s.Done(ctx, "u1", "x", "")
	require.NoError(t, err)
	assert.True(t, done)

	readOnlyConns(t, pool, readOnly, 3)
	readOnly.Store(false)
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "x", ID: "1"}),
		"refused by a read-only server, it did not run: run again")
	r, ok, err := s.Receipt(ctx, "u1", "x")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "1", r.ID)

	readOnlyConns(t, pool, readOnly, 3)
	readOnly.Store(false)
	_, err = s.Prune(ctx, time.Now().Add(-time.Hour))
	require.NoError(t, err)
}

// A server that stays read-only past ReconnectWait fails each write with
// an error that says the server is read-only and what to do, beside the
// server's own: it gave only "cannot execute INSERT in a read-only
// transaction (SQLSTATE 25006)". Reads go on, and Prune removes nothing.
func TestWritesOnAReadOnlyServerSaySo(t *testing.T) {
	ctx := context.Background()
	s, pool, readOnly := failingOver(t, pgstore.ReconnectWait(-1))
	readOnlyConns(t, pool, readOnly, 1)

	done, _, err := s.Done(ctx, "u1", "x", "")
	require.NoError(t, err)
	assert.False(t, done)
	err = s.Mark(ctx, "u1", "x", "", nil)
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "25006", pgErr.Code)
	assert.ErrorContains(t, err, "pgstore: mark: pgstore: server is read-only (point the connection string at the primary, "+
		"or add target_session_attrs=read-write to it")
	err = s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "x", ID: "1"})
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	assert.ErrorContains(t, err, "pgstore: save receipt: ")
	n, err := s.Prune(ctx, time.Now())
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	assert.Zero(t, n)
}

// A Lock on a read-only server (a standby, an old primary after a
// failover) fails, saying so and what to do: a standby grants advisory
// locks, and a Lock taken there excluded no one delivering through the
// primary. Reads on that server go on.
func TestLockOnAReadOnlyServerFails(t *testing.T) {
	ctx := context.Background()
	s, pool, readOnly := failingOver(t, pgstore.ReconnectWait(-1))
	readOnlyConns(t, pool, readOnly, 1)

	unlock, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x", IncidentID: "inc"})
	if err == nil {
		unlock()
	}
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	assert.ErrorContains(t, err, "pgstore: lock: pgstore: server is read-only (point the connection string at the primary, "+
		"or add target_session_attrs=read-write to it")
	_, _, err = s.Done(ctx, "u1", "x", "")
	require.NoError(t, err)
}

// A Lock taken while the pool's connections are on a read-only server (a
// failover under way) is taken on a new connection, which reaches the
// primary: it was taken on a connection to the read-only server, where
// it excluded no one.
func TestLockDuringAFailoverIsTakenOnThePrimary(t *testing.T) {
	ctx := context.Background()
	s, pool, readOnly := failingOver(t)
	stale := readOnlyConns(t, pool, readOnly, 3)
	readOnly.Store(false) // the failover is done: new connections reach the primary

	unlock, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x", IncidentID: "inc"})
	require.NoError(t, err)
	defer unlock()
	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = ANY($1)",
		stale).Scan(&n))
	assert.Zero(t, n, "a lock is held by a session on the read-only server")
}

// Migrate on a read-only server (a standby) of a database it would change
// says so and what to do, as New does: it failed with the server's bare
// "cannot execute CREATE TABLE in a read-only transaction".
func TestMigrateOnAReadOnlyServerSaysSo(t *testing.T) {
	pool := connect(t, readOnlyDSN(t, newSchema(t)))
	err := pgstore.Migrate(context.Background(), pool)
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	assert.ErrorContains(t, err, "pgstore: server is read-only (point the connection string at the primary, "+
		"or add target_session_attrs=read-write to it")
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "25006", pgErr.Code)
}

// The server's answer to a wrong password names the user, never the
// password, in a URL and in key=value pairs.
func TestWrongPasswordIsNotShown(t *testing.T) {
	const password = "Wr0ng-Pa55word-e1f9"
	u, err := url.Parse(baseDSN(t))
	require.NoError(t, err)
	user := "outagecast_nobody"
	u.User = url.UserPassword(user, password)
	q := u.Query()
	q.Set("connect_timeout", "5")
	u.RawQuery = q.Encode()
	kv := "host=" + u.Hostname() + " port=" + u.Port() + " dbname=" + strings.TrimPrefix(u.Path, "/") +
		" user=" + user + " password=" + password + " connect_timeout=5"
	if mode := q.Get("sslmode"); mode != "" {
		kv += " sslmode=" + mode
	}
	for _, dsn := range []string{u.String(), kv} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), password)
		assert.ErrorContains(t, err, "pgstore: connect: ")
	}
}
