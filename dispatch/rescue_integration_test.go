//go:build integration

package dispatch_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A worker dies during the last attempt Retry.MaxAttempts allows: River's
// rescuer takes the job back and it runs again, for an interrupted attempt
// is not a failed one. The job of an update the dead worker had not posted
// is delivered (after a RetryAfter snooze, which uses up no attempt either);
// the job of one it had posted and recorded completes without a second
// post. Both used to be discarded by the rescuer, as failed after
// MaxAttempts attempts with River's "Stuck job rescued" as the error: the
// first update was never delivered to the channel, the second reported as
// given up.
func TestJobOfAWorkerThatDiedOnTheLastAttemptIsRunAgain(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	const maxAttempts = 3
	cfg := dispatch.Config{
		Workers:     2,
		Retry:       broadcast.RetryPolicy{MaxAttempts: maxAttempts, InitialInterval: 10 * time.Millisecond, MaxInterval: 50 * time.Millisecond},
		JobTimeout:  time.Second,
		RescueAfter: 2 * time.Second,
	}

	// u-2 is posted and recorded by a first instance, which then stops.
	before := newCounting("x")
	first, err := openInstance(ctx, dsn, []broadcast.Channel{before}, broadcast.Options{}, cfg)
	require.NoError(t, err)
	require.NoError(t, first.d.Start(ctx))
	_, err = first.d.Enqueue(ctx, nil, update(2))
	require.NoError(t, err)
	_, err = first.d.Wait(ctx, update(2).ID)
	require.NoError(t, err)
	require.NoError(t, first.close())

	var mu sync.Mutex
	var events []dispatch.Event
	cfg.OnEvent = func(e dispatch.Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.UpdateID == update(1).ID {
			events = append(events, e)
		}
	}
	after := newCounting("x", broadcast.RetryAfter(errors.New("HTTP 429"), 100*time.Millisecond))
	in := newInstance(t, dsn, []broadcast.Channel{after}, broadcast.Options{}, cfg)
	_, err = in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)

	// Both jobs are left as a worker that died a minute ago in their last
	// attempt leaves them: running, that attempt counted, for u-2 after
	// the post was recorded and before River completed the job.
	tag, err := in.pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = $1,
		attempted_at = now() - interval '1 minute', attempted_by = ARRAY['dead-worker'], finalized_at = NULL
		WHERE args->>'update_id' IN ('u-1', 'u-2')`, maxAttempts)
	require.NoError(t, err)
	require.EqualValues(t, 2, tag.RowsAffected())

	in.start(t) // its rescuer takes the jobs back
	rep, err := in.d.Wait(ctx, update(1).ID)
	require.NoError(t, err, "delivered after the rescue")
	assert.Equal(t, "x-u-1-1", rep.Results[0].Receipt.ID)
	assert.Equal(t, maxAttempts, rep.Results[0].Attempts, "the interrupted attempt and the snooze are not counted")
	assert.Equal(t, 1, after.count(update(1).ID))

	rep, err = in.d.Wait(ctx, update(2).ID)
	require.NoError(t, err, "completed after the rescue, not given up")
	assert.Equal(t, "x-u-2-1", rep.Results[0].Receipt.ID, "the receipt of the dead worker's post")
	assert.Equal(t, 1, before.count(update(2).ID))
	assert.Zero(t, after.count(update(2).ID), "not posted a second time")

	var rescued int
	require.NoError(t, in.pool.QueryRow(ctx, `SELECT count(*) FROM river_job
		WHERE array_to_string(errors, ' ') LIKE '%rescued%'`).Scan(&rescued))
	assert.Equal(t, 2, rescued, "River's rescuer ran both jobs again")

	mu.Lock()
	defer mu.Unlock()
	var kinds []broadcast.EventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
		assert.Equal(t, maxAttempts, e.Attempt, "%s: the last attempt, resumed", e.Kind)
	}
	assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventRetry, broadcast.EventAttempt,
		broadcast.EventDelivered}, kinds, "snoozed by RetryAfter, then delivered")
}

// The rescued last attempt fails: the job is given up with the attempt's
// own error, not River's, after MaxAttempts attempts.
func TestRescuedLastAttemptThatFailsGivesUpWithItsError(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	const maxAttempts = 2
	x := newCounting("x", errors.New("HTTP 503"))
	in := newInstance(t, dsn, []broadcast.Channel{x}, broadcast.Options{}, dispatch.Config{
		Workers:     1,
		Retry:       broadcast.RetryPolicy{MaxAttempts: maxAttempts, InitialInterval: 10 * time.Millisecond, MaxInterval: 50 * time.Millisecond},
		JobTimeout:  time.Second,
		RescueAfter: 2 * time.Second,
	})
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = $1,
		attempted_at = now() - interval '1 minute', attempted_by = ARRAY['dead-worker']`, maxAttempts)
	require.NoError(t, err)

	in.start(t)
	rep, err := in.d.Wait(ctx, id)
	require.Error(t, err)
	r := rep.Results[0]
	assert.Contains(t, r.Err.Error(), "HTTP 503", "the attempt's error")
	assert.Contains(t, r.Err.Error(), "gave up after 2 attempts")
	assert.Equal(t, maxAttempts, r.Attempts)
	assert.Zero(t, x.count(id))
	var state string
	require.NoError(t, in.pool.QueryRow(ctx, "SELECT state FROM river_job").Scan(&state))
	assert.Equal(t, "cancelled", state, "given up by the policy, not discarded by River")
}
