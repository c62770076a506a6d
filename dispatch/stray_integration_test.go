//go:build integration

package dispatch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// strayFailure runs job id, enqueued longer ago than Retry.MaxElapsed,
// until its first run failed, and returns its state and the errors River
// recorded.
func strayFailure(ctx context.Context, t *testing.T, in *instance, id string) (state string, errs int) {
	t.Helper()
	in.start(t)
	for {
		require.NoError(t, in.pool.QueryRow(ctx, `SELECT state, coalesce(array_length(errors, 1), 0) FROM river_job
			WHERE args->>'update_id' = $1`, id).Scan(&state, &errs))
		if errs > 0 && state != "running" {
			return state, errs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %s: no run failed: %v", id, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A job past Retry.MaxElapsed whose run fails before its attempt (args it
// cannot decode, left by another version or edited by hand) is given up,
// as an attempt that fails past MaxElapsed is. It was retried at once by
// River's own backoff, again and again, until River's MaxAttempts.
func TestJobPastMaxElapsedWhoseArgsCannotBeDecodedIsGivenUp(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	var mu sync.Mutex
	var events []dispatch.Event
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{MaxElapsed: time.Hour},
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.pool.Exec(ctx, `UPDATE river_job SET args = jsonb_set(args, '{job}', '"not a job"'),
		created_at = now() - interval '2 hours'`)
	require.NoError(t, err)

	state, errs := strayFailure(ctx, t, in, id)
	assert.Equal(t, "cancelled", state, "given up, not retried")
	assert.Equal(t, 1, errs, "one run")
	var last string
	require.NoError(t, in.pool.QueryRow(ctx, "SELECT errors[1]->>'error' FROM river_job").Scan(&last))
	assert.Contains(t, last, "gave up: the next attempt would start more than Retry.MaxElapsed")
	assert.Contains(t, last, "cannot unmarshal", "the run's own error")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, events, 1)
	e := events[0]
	assert.Equal(t, broadcast.EventFailed, e.Kind)
	assert.Equal(t, "x", e.Channel)
	assert.Equal(t, id, e.UpdateID)
	assert.Contains(t, e.Err.Error(), "Retry.MaxElapsed")
}

// A panic in Config.OnEvent fails no run: the job is delivered once and
// completes, with no error recorded. It went on to River, which ran the
// delivered job again and again until River's MaxAttempts.
func TestAPanicInOnEventFailsNoJob(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	x := newCounting("x")
	in := newInstance(t, dsn, []broadcast.Channel{x}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		OnEvent: func(dispatch.Event) { panic("a bug in OnEvent") },
	})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	in.start(t)
	rep, err := in.d.Wait(ctx, id)
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.NoError(t, rep.Results[0].Err)
	assert.Equal(t, 1, x.count(id))
	var state string
	var errs int
	require.NoError(t, in.pool.QueryRow(ctx, `SELECT state, coalesce(array_length(errors, 1), 0) FROM river_job
		WHERE args->>'update_id' = $1`, id).Scan(&state, &errs))
	assert.Equal(t, "completed", state)
	assert.Zero(t, errs, "no run failed")
}

// A job past Retry.MaxElapsed of a kind this version does not know (left
// by a later version) is given up too, with the usual error and
// EventFailed. River fails such a run before any worker or middleware
// sees it: it was retried at once, again and again, until River's
// MaxAttempts.
func TestJobPastMaxElapsedOfAnUnknownKindIsGivenUp(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	var mu sync.Mutex
	var events []dispatch.Event
	in := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{
		Workers: 1,
		Retry:   broadcast.RetryPolicy{MaxElapsed: time.Hour},
		OnEvent: func(e dispatch.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.pool.Exec(ctx, `UPDATE river_job SET kind = 'outagecast_from_a_later_version',
		created_at = now() - interval '2 hours'`)
	require.NoError(t, err)

	state, errs := strayFailure(ctx, t, in, id)
	assert.Equal(t, "cancelled", state, "given up, not retried")
	assert.Equal(t, 1, errs, "one run")
	rep, _, err := in.d.Report(ctx, id)
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	require.Error(t, rep.Results[0].Err)
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))
	assert.Contains(t, rep.Results[0].Err.Error(), "outagecast_from_a_later_version")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, events, 1)
	e := events[0]
	assert.Equal(t, broadcast.EventFailed, e.Kind)
	assert.Equal(t, "x", e.Channel)
	assert.Equal(t, id, e.UpdateID)
	assert.Contains(t, e.Err.Error(), "Retry.MaxElapsed")
	assert.Contains(t, e.Err.Error(), "outagecast_from_a_later_version")
	assert.Equal(t, e.Err.Error(), rep.Results[0].Err.Error(), "Report says what the event said")
}
