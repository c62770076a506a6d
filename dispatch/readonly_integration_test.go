//go:build integration

package dispatch_test

import (
	"context"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

// readOnlyDSN returns dsn with default_transaction_read_only on, which
// pgx sends as a run-time parameter: a server that refuses every write,
// as a standby does.
func readOnlyDSN(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	return u.String()
}

// newPool returns a pool of 8 connections to dsn (enough for a
// Dispatcher of 2 workers), closed with the test, with cfg changed by
// change first (if not nil).
func newPool(t *testing.T, ctx context.Context, dsn string, change func(*pgxpool.Config)) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	cfg.MaxConns = 8
	if change != nil {
		change(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// failingOver returns a pool of a new schema, and a Store and Broadcaster
// on it made before the failover, whose idle connections are all on a
// read-only server (an old primary), while the connections it makes from
// now on reach the primary: a failover under way.
func failingOver(t *testing.T, ctx context.Context) (*pgxpool.Pool, *pgstore.Store, *broadcast.Broadcaster) {
	readOnly := new(atomic.Bool)
	pool := newPool(t, ctx, newSchema(t), func(cfg *pgxpool.Config) {
		cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
			if readOnly.Load() {
				cc.RuntimeParams["default_transaction_read_only"] = "on"
			}
			return nil
		}
	})
	store, b := storeAndBroadcaster(t, ctx, pool)
	readOnly.Store(true)
	pool.Reset()
	var conns []*pgxpool.Conn
	for range 3 {
		c, err := pool.Acquire(ctx)
		require.NoError(t, err)
		var ro string
		require.NoError(t, c.QueryRow(ctx, "SHOW transaction_read_only").Scan(&ro))
		require.Equal(t, "on", ro)
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	readOnly.Store(false) // the failover is done: new connections reach the primary
	return pool, store, b
}

// storeAndBroadcaster returns a Store on pool and a Broadcaster with one
// channel on it.
func storeAndBroadcaster(t *testing.T, ctx context.Context, pool *pgxpool.Pool) (*pgstore.Store, *broadcast.Broadcaster) {
	store, err := pgstore.New(ctx, pool)
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{newCounting("x")}, broadcast.Options{Store: store, Lock: store.Lock})
	require.NoError(t, err)
	return store, b
}

// An update enqueued while the pool's connections are on a read-only
// server (a failover under way: the old primary went read-only, new
// connections reach the new primary) is queued, on a new connection: each
// try took an idle connection to the read-only server again, and Enqueue
// failed with "cannot execute INSERT in a read-only transaction" once
// ReconnectWait ran out, though the primary was there.
func TestEnqueueDuringAFailoverToReadOnlyIsQueued(t *testing.T) {
	ctx := waitCtx(t)
	pool, store, b := failingOver(t, ctx)
	// Long enough for a few tries; the test does not depend on it beyond
	// ending, before the fix, in a failure rather than after two minutes.
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store, Workers: 2, ReconnectWait: 3 * time.Second})
	require.NoError(t, err)

	id, err := d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE args->>'update_id' = $1", id).Scan(&n))
	assert.Equal(t, 1, n)
}

// Migrate on a read-only server (a standby) of a database whose River
// tables it would create says so and what to do, as pgstore.Migrate
// does: it failed with the server's bare "cannot execute CREATE TABLE in
// a read-only transaction".
func TestMigrateOnAReadOnlyServerSaysSo(t *testing.T) {
	ctx := waitCtx(t)
	pool := newPool(t, ctx, readOnlyDSN(t, emptySchema(t)), nil)

	err := dispatch.Migrate(ctx, pool)
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	assert.ErrorContains(t, err, "dispatch: migrate: pgstore: server is read-only (point the connection string at the primary, "+
		"or add target_session_attrs=read-write to it")
}

// Enqueue on a read-only server (a standby, or a server whose
// default_transaction_read_only is on: River's insert is refused, before
// its NOTIFY of the new jobs) says so and what to do once ReconnectWait
// has run out, as pgstore's writes and Migrate do, and queues nothing. It
// failed with the server's bare error: "cannot execute INSERT in a
// read-only transaction (SQLSTATE 25006)".
func TestEnqueueOnAReadOnlyServerSaysSo(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	pool := newPool(t, ctx, dsn, nil)
	store, b := storeAndBroadcaster(t, ctx, pool)
	roPool := newPool(t, ctx, readOnlyDSN(t, dsn), nil)
	d, err := dispatch.New(dispatch.Config{Pool: roPool, Broadcaster: b, Store: store, Workers: 2,
		ReconnectWait: 300 * time.Millisecond})
	require.NoError(t, err)

	for _, enqueue := range []func() error{
		func() error { _, err := d.Enqueue(ctx, nil, update(1)); return err },
		func() error {
			return pgx.BeginFunc(ctx, roPool, func(tx pgx.Tx) error { _, err := d.Enqueue(ctx, tx, update(1)); return err })
		},
	} {
		err = enqueue()
		require.ErrorIs(t, err, pgstore.ErrReadOnly)
		assert.ErrorContains(t, err, "dispatch: enqueue: pgstore: server is read-only (point the connection string at the primary, "+
			"or add target_session_attrs=read-write to it")
		assert.ErrorContains(t, err, "SQLSTATE 25006")
	}
	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM river_job").Scan(&n))
	assert.Zero(t, n, "nothing queued")
}

// Start on a read-only server (a standby, or a server whose
// default_transaction_read_only is on) fails, saying so and what to do,
// once ReconnectWait has run out: it returned nil, and no job ever ran,
// River's errors reaching only Config.Logger.
func TestStartOnAReadOnlyServerSaysSo(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	store, b := storeAndBroadcaster(t, ctx, newPool(t, ctx, dsn, nil))
	d, err := dispatch.New(dispatch.Config{Pool: newPool(t, ctx, readOnlyDSN(t, dsn), nil), Broadcaster: b, Store: store,
		Workers: 2, ReconnectWait: 300 * time.Millisecond})
	require.NoError(t, err)

	err = d.Start(ctx)
	require.ErrorIs(t, err, pgstore.ErrReadOnly)
	assert.ErrorContains(t, err, "dispatch: start: pgstore: server is read-only (default_transaction_read_only is on): "+
		"point the connection string at the primary")
}

// Start while the pool's idle connections are on a read-only server (a
// failover under way, new connections reaching the new primary) starts,
// on a new connection.
func TestStartDuringAFailoverToReadOnlyStarts(t *testing.T) {
	ctx := waitCtx(t)
	pool, store, b := failingOver(t, ctx)
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store, Workers: 2, ReconnectWait: 3 * time.Second})
	require.NoError(t, err)

	require.NoError(t, d.Start(ctx))
	require.NoError(t, d.Stop(ctx))
}

// Start on a read-only server whose ctx ends while it tries again fails
// with ctx's error, which errors.Is finds, not as the read-only server.
func TestStartOnAReadOnlyServerCancelled(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	store, b := storeAndBroadcaster(t, ctx, newPool(t, ctx, dsn, nil))
	d, err := dispatch.New(dispatch.Config{Pool: newPool(t, ctx, readOnlyDSN(t, dsn), nil), Broadcaster: b, Store: store,
		Workers: 2, ReconnectWait: time.Minute})
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()

	err = d.Start(short)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, pgstore.ErrReadOnly)
}

// Stop called while Start tries again its check that the server takes
// writes (each try on a new connection: one found on a read-only server
// is dropped) ends Start at once, with ErrStopped. Before, Stop waited
// for those tries to run out (ReconnectWait), and Start then failed as on
// a read-only server.
func TestStopEndsStartOnAReadOnlyServer(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	store, b := storeAndBroadcaster(t, ctx, newPool(t, ctx, dsn, nil))
	connected := make(chan struct{}, 1)
	pool := newPool(t, ctx, readOnlyDSN(t, dsn), func(cfg *pgxpool.Config) {
		cfg.AfterConnect = func(context.Context, *pgx.Conn) error {
			select {
			case connected <- struct{}{}:
			default:
			}
			return nil
		}
	})
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store, Workers: 2, ReconnectWait: time.Minute})
	require.NoError(t, err)

	started := make(chan error, 1)
	go func() { started <- d.Start(ctx) }()
	for range 3 { // River's tables read, then the check made again
		<-connected
	}
	require.NoError(t, d.Stop(ctx))
	err = <-started
	require.ErrorIs(t, err, dispatch.ErrStopped)
	assert.NotErrorIs(t, err, pgstore.ErrReadOnly)
}
