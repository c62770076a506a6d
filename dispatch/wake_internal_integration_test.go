//go:build integration

package dispatch

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freezer is a loopback TCP proxy whose connections freeze can make a
// black hole, as a server machine lost or a network cut does: bytes go
// in, nothing comes out, and nothing closes. Connections made after the
// freeze pass.
type freezer struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []*frozenConn
	closed bool
	wg     sync.WaitGroup
}

type frozenConn struct {
	c, up  net.Conn
	mu     sync.Mutex
	frozen bool
}

func startFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &freezer{ln: ln}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			fc := &frozenConn{c: c, up: up}
			f.mu.Lock()
			if f.closed {
				f.mu.Unlock()
				_, _ = c.Close(), up.Close()
				return
			}
			f.conns = append(f.conns, fc)
			f.wg.Add(2)
			f.mu.Unlock()
			go f.pipe(fc, c, up)
			go f.pipe(fc, up, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		f.mu.Lock()
		f.closed = true
		for _, fc := range f.conns {
			_, _ = fc.c.Close(), fc.up.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

// pipe copies src to dst, dropping what it reads once fc is frozen.
func (f *freezer) pipe(fc *frozenConn, dst, src net.Conn) {
	defer f.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			_, _ = dst.Close(), src.Close()
			return
		}
		fc.mu.Lock()
		frozen := fc.frozen
		fc.mu.Unlock()
		if frozen {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			_, _ = dst.Close(), src.Close()
			return
		}
	}
}

// freeze makes every connection made so far a black hole.
func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fc := range f.conns {
		fc.mu.Lock()
		fc.frozen = true
		fc.mu.Unlock()
	}
}

// The server of the listening connection vanishes without a word (no
// reset, no close): the listener finds out by its check between two
// slices of waiting, connects again, and wakes every waiter, as after
// any loss. It used to wait on the dead connection until TCP gave up,
// minutes later, while waiters read at PollInterval only.
func TestListenerNoticesAServerGoneSilent(t *testing.T) {
	base := os.Getenv("OUTAGECAST_POSTGRES_DSN")
	if base == "" {
		t.Fatal("OUTAGECAST_POSTGRES_DSN is not set: start the test server with scripts/postgres.sh")
	}
	u, err := url.Parse(base)
	require.NoError(t, err)
	f := startFreezer(t, u.Host)
	u.Host = f.ln.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, u.String())
	require.NoError(t, err)
	defer pool.Close()

	d := &Dispatcher{cfg: Config{Pool: pool, Logger: slog.New(slog.DiscardHandler)}, listenCheck: 100 * time.Millisecond}
	w := &waiter{c: make(chan struct{}, 1)}
	d.waiters.add("u-1", w)
	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.listen(lctx)
	}()
	defer func() { stop(); <-done }()

	select {
	case <-w.c: // listening
	case <-ctx.Done():
		t.Fatal("the listener never connected")
	}
	f.freeze()
	select {
	case <-w.c: // listening again, on a new connection
	case <-ctx.Done():
		t.Fatal("the listener did not notice that its server was gone")
	}
}

// Once River has stopped (cancelling Start's ctx included), the events
// of the jobs it finished meanwhile are all notified, not one statement's
// worth (maxNotifyBatch): they are the jobs the stop waited for.
func TestStopNotifiesEveryFinishedJob(t *testing.T) {
	base := os.Getenv("OUTAGECAST_POSTGRES_DSN")
	if base == "" {
		t.Fatal("OUTAGECAST_POSTGRES_DSN is not set: start the test server with scripts/postgres.sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, base)
	require.NoError(t, err)
	defer pool.Close()
	conn, err := pgx.Connect(ctx, base)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	_, err = conn.Exec(ctx, "LISTEN "+finishedChannel)
	require.NoError(t, err)

	const jobs = 10 * maxNotifyBatch
	prefix := "stop-" + rand.Text() + "-" // notifications are database-wide
	events := make(chan *river.Event, jobs)
	for i := range jobs {
		md, err := json.Marshal(metadata{Update: prefix + strconv.Itoa(i)})
		require.NoError(t, err)
		events <- &river.Event{Kind: river.EventKindJobCompleted, Job: &rivertype.JobRow{Metadata: md}}
	}
	stopped := make(chan struct{})
	close(stopped)
	d := &Dispatcher{cfg: Config{Pool: pool, Logger: slog.New(slog.DiscardHandler)}}
	d.notifyFinished(ctx, events, stopped)

	got := map[string]bool{}
	for len(got) < jobs {
		n, err := conn.WaitForNotification(ctx)
		require.NoError(t, err, "%d of %d notified", len(got), jobs)
		if strings.HasPrefix(n.Payload, prefix) {
			got[n.Payload] = true
		}
	}
}

// standbySchema creates a schema holding a pg_notify that refuses as a
// standby does ("cannot execute NOTIFY during recovery", SQLSTATE 25006),
// dropped at cleanup, and returns the search_path that finds it before
// PostgreSQL's own: a connection with it is, for NOTIFY, on a standby.
func standbySchema(t *testing.T, base string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	name := "t_" + strings.ToLower(rand.Text()[:12])
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+name+`; CREATE FUNCTION `+name+`.pg_notify(text, text) RETURNS void
		LANGUAGE plpgsql AS $$ BEGIN
			RAISE EXCEPTION 'cannot execute NOTIFY during recovery' USING ERRCODE = 'read_only_sql_transaction';
		END $$`)
	require.NoError(t, err)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		require.NoError(t, err)
		defer func() { _ = conn.Close(ctx) }()
		_, err = conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
		require.NoError(t, err)
	})
	return name + ",pg_catalog"
}

// The notification of finished jobs sent while the pool's connections are
// on a standby (a failover under way: new connections reach the new
// primary) is sent on a new connection, and the standby's are dropped: it
// failed on the first, which stayed in the pool, the failure logged at
// debug level only, and the other instances' waiters were not woken.
func TestNotifyDuringAFailoverToAStandbyIsSent(t *testing.T) {
	base := os.Getenv("OUTAGECAST_POSTGRES_DSN")
	if base == "" {
		t.Fatal("OUTAGECAST_POSTGRES_DSN is not set: start the test server with scripts/postgres.sh")
	}
	path := standbySchema(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(base)
	require.NoError(t, err)
	standby := new(atomic.Bool)
	cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		if standby.Load() {
			cc.RuntimeParams["search_path"] = path
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	listener, err := pgx.Connect(ctx, base)
	require.NoError(t, err)
	defer func() { _ = listener.Close(context.Background()) }()
	_, err = listener.Exec(ctx, "LISTEN "+finishedChannel)
	require.NoError(t, err)

	// The pool's idle connections are all on the standby.
	standby.Store(true)
	var conns []*pgxpool.Conn
	for range 3 {
		c, err := pool.Acquire(ctx)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	standby.Store(false) // the failover is done

	var log strings.Builder
	d := &Dispatcher{cfg: Config{Pool: pool, Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))}}
	d.outage.Wait = time.Minute
	id := "standby-" + rand.Text() // notifications are database-wide
	d.notify(ctx, map[string]bool{id: true})
	assert.Empty(t, log.String())
	assert.Equal(t, int32(1), pool.Stat().TotalConns(), "the standby's connections are dropped")

	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	for {
		n, err := listener.WaitForNotification(wctx)
		require.NoError(t, err, "not notified")
		if n.Payload == id {
			return
		}
	}
}

// The notification of finished jobs on a standby, once Config.ReconnectWait
// has run out, is logged as a warning that says the server is read-only
// and what to do, as Enqueue's error does; it was logged at debug level,
// with the server's bare error.
func TestNotifyOnAStandbySaysSo(t *testing.T) {
	base := os.Getenv("OUTAGECAST_POSTGRES_DSN")
	if base == "" {
		t.Fatal("OUTAGECAST_POSTGRES_DSN is not set: start the test server with scripts/postgres.sh")
	}
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", standbySchema(t, base))
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, u.String())
	require.NoError(t, err)
	defer pool.Close()

	var log strings.Builder
	d := &Dispatcher{cfg: Config{Pool: pool, Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))}}
	d.outage.Wait = 200 * time.Millisecond
	d.notify(ctx, map[string]bool{"u-1": true})
	assert.Contains(t, log.String(), "level=WARN")
	assert.Contains(t, log.String(), "pgstore: server is read-only (point the connection string at the primary")
	assert.Contains(t, log.String(), "SQLSTATE 25006")
}
