//go:build integration

package dispatch_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// named returns dsn with an application_name of its own, so that a test
// can end the sessions of one instance's pool and no other.
func named(t *testing.T, dsn, name string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// terminate ends every session of application name from another session,
// as a restart of PostgreSQL does for its clients, and returns how many.
func terminate(ctx context.Context, admin *pgxpool.Pool, name string) (int, error) {
	var n int
	err := admin.QueryRow(ctx,
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", name).Scan(&n)
	return n, err
}

// PostgreSQL restarts (every session of the instance ends) while a
// channel posts: the delivery is recorded on new connections once the
// post is made, and the job completes as delivered. It used to end
// cancelled with ErrNotRecorded: the first statement on each broken
// connection failed, so the delivery's receipt and mark were lost, the
// Report said the channel failed, and enqueueing the update again would
// have posted it a second time.
func TestDeliveryIsRecordedAfterPostgresRestarts(t *testing.T) {
	ctx := waitCtx(t)
	base := newSchema(t)
	name := "restart_" + strings.ToLower(rand.Text()[:8])
	dsn := named(t, base, name)
	admin, err := pgxpool.New(ctx, base)
	require.NoError(t, err)
	defer admin.Close()

	var ended atomic.Int64
	sent := newCounting("x")
	restarting := broadcast.ChannelFunc("x", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		r, err := sent.Send(ctx, m)
		if err == nil && m.Update.ID == "u-1" {
			// The post is made; PostgreSQL restarts before it is recorded.
			n, terr := terminate(ctx, admin, name)
			if terr != nil {
				return broadcast.Receipt{}, broadcast.Permanent(terr)
			}
			ended.Add(int64(n))
		}
		return r, err
	})
	in := newInstance(t, dsn, []broadcast.Channel{restarting}, broadcast.Options{}, dispatch.Config{Workers: 1})
	in.start(t)

	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	rep, err := in.d.Wait(ctx, id)
	require.NoError(t, err, "delivered and recorded")
	assert.Positive(t, ended.Load(), "sessions ended mid-delivery")
	assert.Equal(t, "x-u-1-1", rep.Results[0].Receipt.ID, "the receipt was saved")
	done, _, err := in.store.Done(ctx, id, "x", "")
	require.NoError(t, err)
	assert.True(t, done, "the delivery is marked")

	// Enqueued again (another replica got the same alert): not posted twice.
	_, err = in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 1, sent.count(id), "posted once")
}

// After PostgreSQL restarted, the pool's idle connections are dead: Report,
// Wait and Enqueue (in a transaction of its own) go on over new ones,
// instead of failing once per dead connection.
func TestCallsGoOnAfterPostgresRestarts(t *testing.T) {
	ctx := waitCtx(t)
	base := newSchema(t)
	name := "calls_" + strings.ToLower(rand.Text()[:8])
	admin, err := pgxpool.New(ctx, base)
	require.NoError(t, err)
	defer admin.Close()
	sent := newCounting("x")
	in := newInstance(t, named(t, base, name), []broadcast.Channel{sent}, broadcast.Options{}, dispatch.Config{Workers: 1})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)

	for _, call := range []struct {
		name string
		do   func() error
	}{
		{"Report", func() error { _, _, err := in.d.Report(ctx, id); return err }},
		{"Wait", func() error { _, err := in.d.Wait(ctx, id); return err }},
		{"Enqueue", func() error { _, err := in.d.Enqueue(ctx, nil, update(2)); return err }},
	} {
		_, _, err := in.d.Report(ctx, id) // the pool holds a connection, idle
		require.NoError(t, err)
		n, err := terminate(ctx, admin, name)
		require.NoError(t, err)
		require.Positive(t, n)
		assert.NoError(t, call.do(), call.name)
	}
	_, err = in.d.Wait(ctx, "u-2")
	require.NoError(t, err)
	assert.Equal(t, 1, sent.count("u-2"))
}

// A failover or a restart can keep the database away longer than the few
// seconds a call goes on over new connections (see internal/pgretry): Wait
// waits through it, as long as ctx lets it, instead of failing while the
// jobs, queued in the database, are delivered once it is back.
func TestWaitGoesOnWhileTheDatabaseIsAway(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	sent := newCounting("x")
	in := newInstance(t, dsn, []broadcast.Channel{sent}, broadcast.Options{}, dispatch.Config{Workers: 1})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)

	// A watcher whose connections are refused, as by a server that is
	// down, until away is cleared.
	var refused atomic.Int32
	pool, away := awayPool(ctx, t, dsn, 16, func() { refused.Add(1) })
	away.Store(true)
	watcher, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: in.b, Store: in.store, PollInterval: 10 * time.Millisecond})
	require.NoError(t, err)

	waited := make(chan error, 1)
	go func() {
		_, err := watcher.Wait(ctx, id)
		waited <- err
	}()
	// One call goes on over new connections for 10 tries (internal/pgretry's
	// waits); past them, the database is away for longer.
	for refused.Load() <= 10 {
		select {
		case err := <-waited:
			t.Fatalf("Wait returned while the database was away: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	away.Store(false)
	in.start(t)
	require.NoError(t, <-waited)
	assert.Equal(t, 1, sent.count(id))
}

// ctx ends while the database is away, during a read's own tries (which
// then say ctx ended, beside the connection's error: internal/pgretry):
// Wait still says the database is away, and that ctx ended.
func TestWaitSaysTheDatabaseIsAwayWhenCtxEnds(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{Workers: 1})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)

	refused := make(chan struct{}, 100)
	pcfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	pcfg.MaxConns = 16
	pcfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		select {
		case refused <- struct{}{}:
		default:
		}
		cc.Host, cc.Fallbacks = "/nonexistent-outagecast", nil // no such socket: refused
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	require.NoError(t, err)
	defer pool.Close()
	watcher, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: in.b, Store: in.store, PollInterval: 10 * time.Millisecond})
	require.NoError(t, err)

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for range 3 { // within the first read's tries, which last minutes
			<-refused
		}
		cancel()
	}()
	_, err = watcher.Wait(wctx, id)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "the database is away")
}
