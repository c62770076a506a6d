//go:build integration

package dispatch_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

// logText is a slog.Handler that keeps each record as text, attributes
// included.
type logText struct {
	mu  *sync.Mutex
	out *strings.Builder
	fn  func(string) // called with each record's message
}

func (h logText) Enabled(context.Context, slog.Level) bool { return true }
func (h logText) Handle(_ context.Context, r slog.Record) error {
	h.fn(r.Message)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.out.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		h.out.WriteString(" " + a.String())
		return true
	})
	h.out.WriteString("\n")
	return nil
}
func (h logText) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logText) WithGroup(string) slog.Handler      { return h }

// The database goes away as River's client stops, and stays away: Stop,
// given no deadline, returns within twice Config.JobTimeout, as its doc
// says, however long Config.ReconnectWait; the jobs River left running
// are left to its rescuer, which Config.Logger is told, without the
// connection string's password. Before, Stop went on trying to make them
// available again for ReconnectWait (here an hour) after River stopped.
func TestStopIsBoundedWhileTheDatabaseIsAwayAfterRiverStopped(t *testing.T) {
	ctx := waitCtx(t)
	base := newSchema(t)
	name := "strandbound_" + strings.ToLower(rand.Text()[:8])
	u, err := url.Parse(named(t, base, name))
	require.NoError(t, err)
	const password = "s3cretPassw0rd"
	u.User = url.UserPassword(u.User.Username(), password) // the test server trusts any
	dsn := u.String()
	admin, err := pgxpool.New(ctx, base)
	require.NoError(t, err)
	defer admin.Close()

	pool, away := awayPool(ctx, t, dsn, 12, nil)
	store, err := pgstore.New(ctx, pool)
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{newCounting("x")}, broadcast.Options{Store: store, Lock: store.Lock})
	require.NoError(t, err)
	defer func() { _ = b.Close() }()
	logs := logText{mu: &sync.Mutex{}, out: &strings.Builder{}, fn: func(msg string) {
		if msg == "River client stopped" {
			// The database goes away, every session of the pool ended.
			away.Store(true)
			_, _ = terminate(context.Background(), admin, name)
		}
	}}
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store, Workers: 1,
		JobTimeout: 2 * time.Second, RescueAfter: time.Hour, ReconnectWait: time.Hour, Logger: slog.New(logs)})
	require.NoError(t, err)
	require.NoError(t, d.Start(ctx))

	stopped := make(chan error, 1)
	go func() { stopped <- d.Stop(context.Background()) }()
	select {
	case err = <-stopped:
	case <-ctx.Done():
		away.Store(false) // the database is back: Stop ends
		<-stopped
		t.Fatal("Stop went on past twice JobTimeout, waiting for the database")
	}
	require.NoError(t, err)
	away.Store(false)
	logs.mu.Lock()
	text := logs.out.String()
	logs.mu.Unlock()
	assert.Contains(t, text, "could not make the jobs River left running available again")
	assert.NotContains(t, text, password)
}
