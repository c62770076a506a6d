//go:build integration

package dispatch_test

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A Broadcaster closed while its Dispatcher runs: the job is not run
// again at once by the same instance, in a tight loop through the
// database, but waits Retry.InitialInterval for another instance, and the
// Logger tells the operator why. The other instance then delivers it.
func TestClosedBroadcasterLeavesItsJobsToOtherInstances(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	var (
		mu     sync.Mutex
		runs   int
		retry  []dispatch.Event
		log    syncbuf.Buffer
		closed = make(chan struct{}, 1)
	)
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{InitialInterval: time.Minute},
		Logger:  slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelError})),
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch e.Kind {
			case broadcast.EventAttempt:
				runs++
			case broadcast.EventRetry:
				retry = append(retry, e)
				select {
				case closed <- struct{}{}:
				default:
				}
			}
		},
	})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	require.NoError(t, in.b.Close())
	in.start(t)
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("the job did not run")
	}
	// Long enough for hundreds of runs in a tight loop.
	time.Sleep(1500 * time.Millisecond)
	require.NoError(t, in.d.Stop(ctx))

	mu.Lock()
	assert.LessOrEqual(t, runs, 2, "the job waits Retry.InitialInterval (a minute) after a run")
	if assert.NotEmpty(t, retry) {
		e := retry[0]
		assert.ErrorIs(t, e.Err, broadcast.ErrClosed)
		assert.True(t, e.Snoozed, "no attempt used up")
		assert.Equal(t, time.Minute, e.Delay)
	}
	mu.Unlock()
	assert.Equal(t, 1, strings.Count(log.String(), "Broadcaster is closed"), "told once: %s", log.String())

	// Another instance takes the job when its wait is over (brought
	// forward here), and delivers it.
	other := newCounting("x")
	in2 := newInstance(t, dsn, []broadcast.Channel{other}, broadcast.Options{}, dispatch.Config{Workers: 1})
	in2.start(t)
	bringForward(t, in2.pool, dispatch.KindSend)
	_, err = in2.d.Wait(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 1, other.count(id))
}

// A run that the channel's own Close cut short (its error matches
// broadcast.ErrChannelClosed) failed nothing for good: it waits, without
// using an attempt, for as long as the job has existed, within Retry's
// intervals (so that an instance whose channel stays closed does not spin
// on it), and another instance, whose
// channel is open, delivers it. Given up after its attempts (here its only
// one), it was lost to every instance.
func TestChannelClosedRunLeavesItsJobToOtherInstances(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	var (
		mu     sync.Mutex
		events []dispatch.Event
		ended  = make(chan struct{}, 1)
	)
	closedErr := broadcast.Permanent(broadcast.ClosedError("x: channel closed")) // as the adapters mark it
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x", closedErr)}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{MaxAttempts: 1, InitialInterval: time.Minute},
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
			if e.Kind == broadcast.EventRetry || e.Kind == broadcast.EventFailed {
				select {
				case ended <- struct{}{}:
				default:
				}
			}
		},
	})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	in.start(t)
	select {
	case <-ended:
	case <-ctx.Done():
		t.Fatal("the job did not run")
	}
	require.NoError(t, in.d.Stop(ctx))

	mu.Lock()
	e := events[len(events)-1]
	mu.Unlock()
	require.Equal(t, broadcast.EventRetry, e.Kind, "not given up: %v", e.Err)
	assert.ErrorIs(t, e.Err, broadcast.ErrChannelClosed)
	assert.True(t, e.Snoozed, "no attempt used up")
	assert.Equal(t, time.Minute, e.Delay, "Retry.InitialInterval: the job is new")

	// Another instance, whose channel is open, takes the job when its wait
	// is over (brought forward here), on the same attempt, and delivers it.
	other := newCounting("x")
	var attempts []int
	in2 := newInstance(t, dsn, []broadcast.Channel{other}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{MaxAttempts: 1, InitialInterval: time.Minute},
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			if e.Kind == broadcast.EventAttempt {
				attempts = append(attempts, e.Attempt)
			}
		},
	})
	in2.start(t)
	bringForward(t, in2.pool, dispatch.KindSend)
	report, err := in2.d.Wait(ctx, id)
	require.NoError(t, err)
	require.Len(t, report.Results, 1)
	assert.NoError(t, report.Results[0].Err)
	assert.Equal(t, 1, other.count(id))
	require.NoError(t, in2.d.Stop(ctx))
	mu.Lock()
	assert.Equal(t, []int{1}, attempts, "the attempt the closed channel cut short")
	mu.Unlock()
}
