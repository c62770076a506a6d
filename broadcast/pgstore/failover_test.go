//go:build integration

package pgstore_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// failoverProxy passes TCP connections through to the server until fail:
// then it closes them all and closes each new one at once, as a managed
// PostgreSQL failing over does (its DNS name or address points nowhere
// that answers until the standby is promoted), for the next refusals
// connections, after which it passes them through again. Counting
// connections, not seconds, keeps the test free of timing.
type failoverProxy struct {
	ln      net.Listener
	target  string
	refused chan struct{} // one per connection refused

	mu     sync.Mutex
	conns  []net.Conn
	refuse int // connections still to refuse; -1: every one
	wg     sync.WaitGroup
}

func startFailoverProxy(t *testing.T, target string) *failoverProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &failoverProxy{ln: ln, target: target, refused: make(chan struct{}, 1000)}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { _ = ln.Close(); p.fail(0); p.wg.Wait() })
	return p
}

// fail closes every connection, and refuses the next n (every one, when n
// is negative).
func (p *failoverProxy) fail(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns, p.refuse = nil, n
}

func (p *failoverProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.refuse != 0 {
			if p.refuse > 0 {
				p.refuse--
			}
			p.mu.Unlock()
			_ = c.Close()
			p.refused <- struct{}{}
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *failoverProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}

// proxied returns a Store on a new migrated schema whose connections go
// through a failoverProxy, made with opts.
func proxied(t *testing.T, opts ...pgstore.Option) (*pgstore.Store, *failoverProxy) {
	t.Helper()
	dsn := newSchema(t)
	require.NoError(t, pgstore.Migrate(context.Background(), connect(t, dsn)))
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	p := startFailoverProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	s, err := pgstore.New(context.Background(), connect(t, u.String()), opts...)
	require.NoError(t, err)
	return s, p
}

// A managed PostgreSQL fails over in up to about two minutes (Amazon RDS
// User Guide, "Failing over a Multi-AZ DB instance": "typically 60–120
// seconds"; "Failing over a Multi-AZ DB cluster": "typically under 35
// seconds"): a delivery's mark written meanwhile waits for the new
// primary, by default, instead of failing after about 4.5 seconds, ten
// connections refused, which the Broadcaster reported as ErrNotRecorded
// although the post was made. Here the server is unreachable for the next
// 40 connections, more than those 4.5 seconds' ten tries make (pgx makes
// about two a try).
func TestMarkDuringFailoverIsRecorded(t *testing.T) {
	ctx := context.Background()
	s, p := proxied(t)
	require.NoError(t, s.Mark(ctx, "u0", "x", "", nil), "before the failover")

	p.fail(40)
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil), "mark written once the new primary answers")
	assert.Len(t, p.refused, 40, "every refused connection was retried past")
	done, _, err := s.Done(ctx, "u1", "x", "")
	require.NoError(t, err)
	assert.True(t, done)
}

// ReconnectWait sets the wait: with a short one, the mark fails once the
// wait is past, with the connection's error; the caller's ctx ends the
// wait too, whatever ReconnectWait allows.
func TestReconnectWaitAndContextBoundTheWait(t *testing.T) {
	t.Run("ReconnectWait", func(t *testing.T) {
		s, p := proxied(t, pgstore.ReconnectWait(time.Millisecond))
		p.fail(-1)
		err := s.Mark(context.Background(), "u1", "x", "", nil)
		require.Error(t, err)
		assert.ErrorContains(t, err, "pgstore: mark: ")
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("ctx", func(t *testing.T) {
		s, p := proxied(t) // the default wait, far longer than this test
		p.fail(-1)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for range 3 {
				<-p.refused
			}
			cancel()
		}()
		err := s.Mark(ctx, "u1", "x", "", nil) // returns: a hang fails the test
		require.Error(t, err)
		assert.ErrorContains(t, err, "pgstore: mark: ")
		// The caller's end, not only the connection's last error.
		assert.ErrorIs(t, err, context.Canceled)
	})
}

// A delivery writes its records one after another, and without its
// deadline (context.WithoutCancel: a post made must be recorded): a mark,
// a post's receipt per target, the delivery's receipt, and the Ledger
// reads a mark per target too. ReconnectWait bounded each call, so a
// delivery of many targets waited ReconnectWait for each while the
// database was away (2 minutes each by default, the package doc's "bounds
// that wait" notwithstanding). It bounds one outage: a call that starts
// once the database has been away that long tries once, and the next
// outage, after a call reached the server, gets the whole wait again.
func TestReconnectWaitBoundsAnOutageNotEachCall(t *testing.T) {
	ctx := context.Background()
	dsn := newSchema(t)
	require.NoError(t, pgstore.Migrate(ctx, connect(t, dsn)))
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	p := startFailoverProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	cfg, err := pgxpool.ParseConfig(u.String())
	require.NoError(t, err)
	var tries atomic.Int32 // a try makes a new connection, which may dial more than once
	cfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error { tries.Add(1); return nil }
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	s, err := pgstore.New(ctx, pool, pgstore.ReconnectWait(time.Second))
	require.NoError(t, err)

	p.fail(-1)
	tries.Store(0)
	require.Error(t, s.Mark(ctx, "u1", "x", "", nil), "tried again for a second")
	require.Greater(t, tries.Load(), int32(4))
	// The first call stopped short of the wait (its next wait would have
	// passed it); the calls after it try for the rest, then at most twice
	// at once (a first wait is 0) each: with the wait per call, each made
	// as many tries as the first.
	quick := false
	for i := 0; i < 10 && !quick; i++ {
		tries.Store(0)
		require.Error(t, s.Mark(ctx, "u1", "x", "t", nil))
		quick = tries.Load() <= 2
	}
	assert.True(t, quick, "the database has been away for the whole wait: a try or two")

	p.fail(0) // back
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	p.fail(-1) // away again: the whole wait
	tries.Store(0)
	require.Error(t, s.Mark(ctx, "u2", "x", "", nil))
	assert.Greater(t, tries.Load(), int32(4))
}
