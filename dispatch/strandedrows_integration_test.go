//go:build integration

package dispatch_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Stop makes available again only the jobs River left running whose last
// run was this client's, in its queue, with River's attempt count kept
// and the rescuer's error added (the next run resumes the attempt); it
// leaves alone a job an operator asked to cancel and one at River's
// MaxAttempts (the rescuer cancels or discards them), another client's,
// and jobs snoozed or waiting to retry. The job made available runs on
// another instance, which finds the delivery in the Ledger: no second
// post.
func TestStopRescuesOnlyItsOwnStrandedJobs(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	admin, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer admin.Close()
	sent := newCounting("x")
	in := newInstance(t, dsn, []broadcast.Channel{sent}, broadcast.Options{}, dispatch.Config{Workers: 1, RescueAfter: time.Hour})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 1, sent.count(id))

	// Copies of the job, as River would leave them, by this client (the
	// last in attempted_by) or another.
	var done int64
	require.NoError(t, admin.QueryRow(ctx, "SELECT id FROM river_job").Scan(&done))
	copyAs := func(state string, attempt any, meta, by string, at time.Duration) int64 {
		var id int64
		require.NoError(t, admin.QueryRow(ctx, `INSERT INTO river_job (args, attempt, attempted_at, attempted_by, errors,
			kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags)
			SELECT args, coalesce($2::int, max_attempts), now(), CASE WHEN $4 = '' THEN attempted_by ELSE array_append(attempted_by, $4) END,
				errors, kind, max_attempts, metadata || $3::jsonb, priority, queue, now() + $5::interval, $1::river_job_state, tags
			FROM river_job WHERE id = $6 RETURNING id`, state, attempt, meta, by, at, done).Scan(&id))
		return id
	}
	stranded := copyAs("running", 1, `{}`, "", 0)
	cancelled := copyAs("running", 1, `{"cancel_attempted_at": "2026-01-01T00:00:00Z"}`, "", 0)
	atMax := copyAs("running", nil, `{}`, "", 0)
	other := copyAs("running", 1, `{}`, "another_client", 0)
	snoozed := copyAs("scheduled", 1, `{}`, "", time.Hour)
	retrying := copyAs("retryable", 1, `{}`, "", time.Hour)

	require.NoError(t, in.d.Stop(ctx))
	state := func(id int64) (s string, attempt int, rescues int, lastErr string) {
		require.NoError(t, admin.QueryRow(ctx, `SELECT state, attempt, coalesce((metadata->>'river:rescue_count')::int, 0),
			coalesce(errors[cardinality(errors)]->>'error', '') FROM river_job WHERE id = $1`, id).Scan(&s, &attempt, &rescues, &lastErr))
		return
	}
	s, attempt, rescues, lastErr := state(stranded)
	assert.Equal(t, "available", s)
	assert.Equal(t, 1, attempt, "River's count kept: the next fetch counts the run")
	assert.Equal(t, 1, rescues)
	assert.Equal(t, "Stuck job rescued by JobRescuer", lastErr)
	for name, id := range map[string]int64{"cancelled": cancelled, "at River's MaxAttempts": atMax, "another client's": other} {
		s, _, rescues, _ := state(id)
		assert.Equal(t, "running", s, name)
		assert.Zero(t, rescues, name)
	}
	s, _, _, _ = state(snoozed)
	assert.Equal(t, "scheduled", s)
	s, _, _, _ = state(retrying)
	assert.Equal(t, "retryable", s)

	// Another instance runs it: the delivery is in the Ledger.
	again := newCounting("x")
	in2 := newInstance(t, dsn, []broadcast.Channel{again}, broadcast.Options{}, dispatch.Config{Workers: 1, RescueAfter: time.Hour})
	in2.start(t)
	for s != "completed" {
		s, _, _, _ = state(stranded)
		select {
		case <-ctx.Done():
			t.Fatalf("job %d still %s", stranded, s)
		case <-time.After(20 * time.Millisecond):
		}
	}
	assert.Zero(t, again.count(id), "not posted a second time")
}
