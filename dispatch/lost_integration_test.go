//go:build integration

package dispatch_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
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
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A Lock lost while its attempt runs (the session holding it ended: a
// failover, a terminated backend) no longer keeps the incident's other
// updates, or a retraction of the update, off the channel. The run was
// not told; now an attempt that fails says so in its error (and Event),
// and one that succeeds is delivered, once, and logged. The attempt is not
// cut short: that could cut it between its post and the post's record,
// and the retry would post again (TestDeliveryIsRecordedAfterPostgresRestarts).
func TestLostLockIsReported(t *testing.T) {
	for _, tt := range []struct {
		name    string
		failure error // of the attempt that loses its lock
	}{
		{"attempt fails", errors.New("HTTP 503")},
		{"attempt succeeds", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := waitCtx(t)
			name := "lost_" + strings.ToLower(rand.Text()[:12])
			dsn := newSchema(t) + "&application_name=" + name
			admin, err := pgxpool.New(ctx, os.Getenv(dsnEnv))
			require.NoError(t, err)
			defer admin.Close()

			var calls atomic.Int32
			ch := broadcast.ChannelFunc("x", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
				if calls.Add(1) > 1 {
					return broadcast.Receipt{ID: "post-2"}, nil
				}
				// What PostgreSQL does to a session on a failover or an
				// administrator's pg_terminate_backend: it ends, and its
				// transaction, which holds the advisory lock, with it.
				var n int
				err := admin.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(l.pid))
					FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
					WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1
					AND a.state = 'idle in transaction'`, name).Scan(&n)
				if err != nil || n == 0 {
					return broadcast.Receipt{}, broadcast.Permanent(errors.Join(errors.New("no lock to end"), err))
				}
				return broadcast.Receipt{ID: "post-1"}, tt.failure
			})
			var log syncbuf.Buffer
			events := make(chan dispatch.Event, 100)
			in := newInstance(t, dsn, []broadcast.Channel{ch}, broadcast.Options{}, dispatch.Config{Workers: 1,
				Retry:   broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: 10 * time.Millisecond, MaxInterval: 10 * time.Millisecond},
				Logger:  slog.New(slog.NewTextHandler(&log, nil)),
				OnEvent: func(e dispatch.Event) { events <- e }})
			in.start(t)
			id, err := in.d.Enqueue(ctx, nil, update(1))
			require.NoError(t, err)
			rep, err := in.d.Wait(ctx, id)
			require.NoError(t, err)
			require.Len(t, rep.Results, 1)
			require.NoError(t, rep.Results[0].Err)

			close(events)
			var first *dispatch.Event
			for e := range events {
				if e.Kind != broadcast.EventAttempt && first == nil {
					first = &e
				}
			}
			require.NotNil(t, first)
			if tt.failure != nil {
				assert.Equal(t, broadcast.EventRetry, first.Kind)
				assert.ErrorIs(t, first.Err, pgstore.ErrLockLost, "the failed attempt's Event says its lock was lost")
				assert.ErrorIs(t, first.Err, tt.failure)
				assert.Equal(t, "post-2", rep.Results[0].Receipt.ID, "delivered by the retry")
			} else {
				assert.Equal(t, broadcast.EventDelivered, first.Kind)
				assert.Equal(t, "post-1", rep.Results[0].Receipt.ID)
				assert.EqualValues(t, 1, calls.Load(), "posted once")
				assert.Contains(t, log.String(), "lock was lost", "logged")
			}
		})
	}
}

// Before its first attempt, a job records the Time its update was first
// sent with, under Options.Lock of a reserved name held for a moment, then
// released before the delivery's own Lock is taken (see
// Broadcaster.SentTime). A loss of that lock is not the delivery's: the
// attempt's error does not say the job's lock was lost, nor does the log.
func TestLostLockOfTheSentRecordIsNotTheJobs(t *testing.T) {
	ctx := waitCtx(t)
	name := "lost_" + strings.ToLower(rand.Text()[:12])
	dsn := newSchema(t) + "&application_name=" + name
	admin, err := pgxpool.New(ctx, os.Getenv(dsnEnv))
	require.NoError(t, err)
	defer admin.Close()

	var in *instance
	var ended atomic.Int32
	lock := func(ctx context.Context, key broadcast.LockKey) (func(), error) {
		unlock, err := in.store.Lock(ctx, key)
		if err != nil || key.Channel == "x" || ended.Load() > 0 {
			return unlock, err
		}
		// The session holding the record's lock ends, as on a failover;
		// pg_terminate_backend's timeout waits until it did.
		var n int32
		qerr := admin.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid, 60000))
			FROM (SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1
			AND a.state = 'idle in transaction') holders`, name).Scan(&n)
		assert.NoError(t, qerr)
		ended.Store(n)
		return unlock, nil
	}
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("x", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if calls.Add(1) == 1 {
			return broadcast.Receipt{}, errors.New("HTTP 503")
		}
		return broadcast.Receipt{ID: "post-1"}, nil
	})
	var log syncbuf.Buffer
	events := make(chan dispatch.Event, 100)
	in = newInstance(t, dsn, []broadcast.Channel{ch}, broadcast.Options{Lock: lock}, dispatch.Config{Workers: 1,
		Retry:   broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: 10 * time.Millisecond, MaxInterval: 10 * time.Millisecond},
		Logger:  slog.New(slog.NewTextHandler(&log, nil)),
		OnEvent: func(e dispatch.Event) { events <- e }})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	rep, err := in.d.Wait(ctx, id)
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	require.NoError(t, rep.Results[0].Err)
	require.EqualValues(t, 1, ended.Load(), "the record's lock was ended")

	close(events)
	var retried bool
	for e := range events {
		if e.Kind == broadcast.EventRetry {
			retried = true
			assert.NotErrorIs(t, e.Err, pgstore.ErrLockLost, "the job's lock was not lost: %v", e.Err)
			assert.ErrorContains(t, e.Err, "HTTP 503")
		}
	}
	assert.True(t, retried)
	assert.NotContains(t, log.String(), "lock was lost")
}
