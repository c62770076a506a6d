package dispatch

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
)

// River's rescuer schedules the job of a dead worker by the worker's
// NextRetry. That run was cut short, not failed: the job runs again at
// once, as Config.RescueAfter says (within RescueAfter and River's rescue
// interval of the run's start). It waited the backoff of the attempt
// interrupted, as though that attempt had failed: up to Retry.MaxInterval
// (1m here, 5m by default) more, when the worker died in a late attempt.
// A run that fails is still retried by the backoff.
func TestRescuedJobRunsAgainAtOnce(t *testing.T) {
	d, _ := failingDispatcher(t) // Retry: 1s doubling to 1m; RescueAfter: the default
	w := &worker[sendArgs]{d: d}
	for attempt := 1; attempt <= 9; attempt++ {
		started := time.Now().Add(-DefaultRescueAfter - time.Minute) // its worker died then
		stuck := &rivertype.JobRow{ID: 3, Attempt: attempt, MaxAttempts: 3 + maxRescues, State: rivertype.JobStateRunning,
			AttemptedAt: &started, CreatedAt: started}
		next := w.NextRetry(&river.Job[sendArgs]{JobRow: stuck})
		assert.False(t, next.After(time.Now()), "attempt %d: a rescue waited %v", attempt, time.Until(next))
	}
	started := time.Now().Add(-time.Second) // a run that failed a second after it started
	failed := &rivertype.JobRow{ID: 3, Attempt: 6, MaxAttempts: 3 + maxRescues, State: rivertype.JobStateRunning,
		AttemptedAt: &started, CreatedAt: started}
	before := time.Now()
	next := w.NextRetry(&river.Job[sendArgs]{JobRow: failed})
	assertBackoff(t, 32*time.Second, next.Sub(before), "a failed run's retry")
}
