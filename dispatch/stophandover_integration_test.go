//go:build integration

package dispatch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A Stop whose ctx ends while a job runs cuts the run short (River's
// Client.StopAndCancel, by its doc, cancels the contexts of the jobs in
// progress and still waits for them to complete, recording their
// outcome; a snooze shorter than River's scheduler interval leaves the
// job available, not scheduled), and the job is snoozed for 0, its
// attempt not used up: available at once when Stop returns, for any
// instance, whose run resumes the attempt. It is not left running until
// River's rescuer takes it (Config.RescueAfter, here an hour), as the job
// of a process killed mid-run is.
func TestStopCutsARunShortAndItsJobIsAvailableAtOnce(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	admin, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer admin.Close()
	var (
		mu       sync.Mutex
		events   []dispatch.Event
		attempts []int
	)
	ch := newBlocking()
	in := newInstance(t, dsn, []broadcast.Channel{ch}, broadcast.Options{}, dispatch.Config{
		Workers: 1, RescueAfter: time.Hour,
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	select {
	case <-ch.entered:
	case <-ctx.Done():
		t.Fatal("the delivery did not start")
	}

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	require.NoError(t, in.d.Stop(short), "the run ends once its ctx is cancelled")
	assert.Equal(t, int32(1), ch.cancelled.Load(), "the delivery was cut short")

	var (
		state   string
		attempt int
		errs    int
	)
	require.NoError(t, admin.QueryRow(ctx, "SELECT state, attempt, coalesce(cardinality(errors), 0) FROM river_job").Scan(&state, &attempt, &errs))
	assert.Equal(t, "available", state, "not left running for River's rescuer")
	assert.Zero(t, attempt, "no attempt used up")
	assert.Zero(t, errs, "the run's own outcome, not a rescue")
	mu.Lock()
	require.NotEmpty(t, events)
	last := events[len(events)-1]
	mu.Unlock()
	assert.Equal(t, broadcast.EventRetry, last.Kind, "%v", last.Err)
	assert.True(t, last.Snoozed)
	assert.Zero(t, last.Delay, "run again at once")

	// Another instance takes it at once, on the same attempt.
	other := newBlocking()
	close(other.release)
	in2 := newInstance(t, dsn, []broadcast.Channel{other}, broadcast.Options{}, dispatch.Config{
		Workers: 1, RescueAfter: time.Hour,
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			if e.Kind == broadcast.EventAttempt {
				attempts = append(attempts, e.Attempt)
			}
		},
	})
	in2.start(t)
	rep, err := in2.d.Wait(ctx, id)
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.NoError(t, rep.Results[0].Err)
	assert.Equal(t, "post-"+id, rep.Results[0].Receipt.ID)
	assert.Equal(t, int32(1), other.delivered.Load())
	mu.Lock()
	assert.Equal(t, []int{1}, attempts, "the attempt Stop cut short")
	mu.Unlock()
}
