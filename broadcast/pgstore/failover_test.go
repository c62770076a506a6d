//go:build integration

package pgstore_test

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

	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/internal/tcpproxy"
)

// proxied returns a Store on a new migrated schema whose connections go
// through a tcpproxy.Proxy, made with opts. The proxy's Cut(n) closes every
// connection and closes each new one at once, as a managed PostgreSQL
// failing over does (its address points nowhere that answers until the
// standby is promoted), for the next n connections. Counting connections,
// not seconds, keeps the tests free of timing.
func proxied(t *testing.T, opts ...pgstore.Option) (*pgstore.Store, *tcpproxy.Proxy) {
	t.Helper()
	dsn := newSchema(t)
	require.NoError(t, pgstore.Migrate(context.Background(), connect(t, dsn)))
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	p := tcpproxy.Start(t, u.Host)
	u.Host = p.Addr()
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

	p.Cut(40, "")
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil), "mark written once the new primary answers")
	assert.Len(t, p.Refused(), 40, "every refused connection was retried past")
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
		p.Cut(-1, "")
		err := s.Mark(context.Background(), "u1", "x", "", nil)
		require.Error(t, err)
		assert.ErrorContains(t, err, "pgstore: mark: ")
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("ctx", func(t *testing.T) {
		s, p := proxied(t) // the default wait, far longer than this test
		p.Cut(-1, "")
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for range 3 {
				<-p.Refused()
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
	p := tcpproxy.Start(t, u.Host)
	u.Host = p.Addr()
	cfg, err := pgxpool.ParseConfig(u.String())
	require.NoError(t, err)
	var tries atomic.Int32 // a try makes a new connection, which may dial more than once
	cfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error { tries.Add(1); return nil }
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	s, err := pgstore.New(ctx, pool, pgstore.ReconnectWait(time.Second))
	require.NoError(t, err)

	p.Cut(-1, "")
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

	p.Cut(0, "") // back
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	p.Cut(-1, "") // away again: the whole wait
	tries.Store(0)
	require.Error(t, s.Mark(ctx, "u2", "x", "", nil))
	assert.Greater(t, tries.Load(), int32(4))
}
