package dispatch

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
)

// A job snoozed by a 429, whose next run's worker died: River's rescuer
// makes it retryable with its error. Report must not give the snooze's
// old reason as why it waits now.
func TestReportAfterRescueIsNotStale(t *testing.T) {
	out, _ := json.Marshal(map[string]any{"output": output{Waiting: "HTTP 429 Too Many Requests"}})
	row := &rivertype.JobRow{ID: 1, State: rivertype.JobStateRetryable, Attempt: 2, MaxAttempts: 13,
		ScheduledAt: time.Now().Add(time.Minute), Metadata: out,
		Errors: []rivertype.AttemptError{{Attempt: 2, Error: rescuedError}}}
	d := &Dispatcher{}
	r, done, err := d.result(context.Background(), "x", "u-1", row, false)
	assert.NoError(t, err)
	assert.False(t, done)
	assert.NotContains(t, r.Err.Error(), "HTTP 429", "the snooze before the crash is not why it waits now")
	assert.Contains(t, r.Err.Error(), rescuedError)
}
