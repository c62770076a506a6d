package dispatch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A job whose output cannot be decoded (recorded by another version, or
// edited by hand) failed the whole Report of its update, and Wait and
// Watch with it, at once, for every channel, as its args once did. Its
// channel's Result is what its state says; its error, when it has one,
// names the output.
func TestAJobsOutputThatCannotBeDecodedFailsNoReport(t *testing.T) {
	store := broadcast.NewMemoryStore()
	require.NoError(t, store.SaveReceipt(context.Background(), "i-1", "u-1", broadcast.Receipt{Channel: "x", ID: "post-1"}))
	d := &Dispatcher{cfg: Config{Store: store}}
	bad := []byte(`{"output":{"delivered_targets":"three","failures":{"a":"b"}}}`)
	now := time.Now()

	completed := &rivertype.JobRow{ID: 7, State: rivertype.JobStateCompleted, Attempt: 1, Metadata: bad,
		AttemptedAt: &now, FinalizedAt: &now}
	r, finished, err := d.result(context.Background(), "x", "u-1", completed, false)
	require.NoError(t, err)
	assert.True(t, finished)
	assert.NoError(t, r.Err, "completed: delivered")
	assert.Equal(t, "post-1", r.Receipt.ID)

	retryable := &rivertype.JobRow{ID: 8, State: rivertype.JobStateRetryable, Attempt: 1, Metadata: bad,
		Errors: []rivertype.AttemptError{{Attempt: 1, Error: "HTTP 503"}}}
	r, finished, err = d.result(context.Background(), "x", "u-1", retryable, false)
	require.NoError(t, err)
	assert.False(t, finished)
	assert.ErrorIs(t, r.Err, ErrPending)
	assert.ErrorContains(t, r.Err, "HTTP 503")
	assert.ErrorContains(t, r.Err, "job 8: its output cannot be decoded")

	cancelled := &rivertype.JobRow{ID: 9, State: rivertype.JobStateCancelled, Attempt: 1, Metadata: bad,
		Errors: []rivertype.AttemptError{{Attempt: 1, Error: "JobCancelError: HTTP 401"}}}
	r, finished, err = d.result(context.Background(), "x", "u-1", cancelled, false)
	require.NoError(t, err)
	assert.True(t, finished)
	assert.True(t, broadcast.IsPermanent(r.Err))
	assert.ErrorContains(t, r.Err, "HTTP 401")
	assert.ErrorContains(t, r.Err, "job 9: its output cannot be decoded")
	assert.False(t, errors.Is(r.Err, ErrPending))
}
