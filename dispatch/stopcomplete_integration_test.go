//go:build integration

package dispatch_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

// onMessage is a slog.Handler that calls fn with each record's message.
type onMessage struct{ fn func(string) }

func (h onMessage) Enabled(context.Context, slog.Level) bool { return true }
func (h onMessage) Handle(_ context.Context, r slog.Record) error {
	h.fn(r.Message)
	return nil
}
func (h onMessage) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h onMessage) WithGroup(string) slog.Handler      { return h }

// The database goes away right after a job's run ended, before River
// recorded its end, and comes back once River's client has stopped, its
// completer's tries given up. The job used to be left running until
// River's rescuer took it, Config.RescueAfter (5 minutes by default) and
// more later, whichever instance ran: an update minutes late. Stop now
// makes it available again, and another instance ends it without a
// second post.
func TestStopLeavesNoJobRunningWhenItsEndIsNotRecorded(t *testing.T) {
	ctx := waitCtx(t)
	base := newSchema(t)
	name := "stopdone_" + strings.ToLower(rand.Text()[:8])
	dsn := named(t, base, name)
	admin, err := pgxpool.New(ctx, base)
	require.NoError(t, err)
	defer admin.Close()

	pool, away := awayPool(ctx, t, dsn, 12, nil)
	store, err := pgstore.New(ctx, pool)
	require.NoError(t, err)
	sent := newCounting("x")
	b, err := broadcast.New([]broadcast.Channel{sent}, broadcast.Options{Store: store, Lock: store.Lock})
	require.NoError(t, err)
	var gaveUp atomic.Int32
	logger := slog.New(onMessage{func(msg string) {
		switch {
		case strings.Contains(msg, "giving up"):
			gaveUp.Add(1)
		case msg == "River client stopped":
			away.Store(false) // the database is back
		}
	}})
	ended := make(chan struct{})
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store, Workers: 1, RescueAfter: time.Hour,
		Logger: logger, OnEvent: func(e dispatch.Event) {
			if e.Kind == broadcast.EventDelivered {
				// The run has ended: the database goes away before River
				// records it.
				away.Store(true)
				_, _ = terminate(context.Background(), admin, name)
				close(ended)
			}
		}})
	require.NoError(t, err)
	require.NoError(t, d.Start(ctx))
	id, err := d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	<-ended
	require.NoError(t, d.Stop(ctx))
	require.Positive(t, gaveUp.Load(), "River's completer gave up")
	require.Equal(t, 1, sent.count(id))

	var state string
	require.NoError(t, admin.QueryRow(ctx, "SELECT state FROM river_job").Scan(&state))
	assert.NotEqual(t, "running", state, "left running for River's rescuer")

	// Another instance ends the job, without a second post.
	other := newCounting("x")
	in := newInstance(t, base, []broadcast.Channel{other}, broadcast.Options{}, dispatch.Config{Workers: 1, RescueAfter: time.Hour})
	in.start(t)
	rep, err := in.d.Wait(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "x-u-1-1", rep.Results[0].Receipt.ID, "the first run's receipt")
	assert.Zero(t, other.count(id), "not posted a second time")
	require.NoError(t, admin.QueryRow(ctx, "SELECT state FROM river_job").Scan(&state))
	assert.Equal(t, "completed", state)
}
