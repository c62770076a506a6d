package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// A delivery the Store could not record keeps its receipt in its job's
// output, and Report gives it when the Store lacks it. River keeps the
// output as JSON, whose RFC 3339 cuts a zone's offset to the minute: a
// receipt Time or UpdateTime in a zone whose offset has seconds (local
// mean time, as time.LoadLocation gives before a zone's standard time)
// came back up to 59s off, as pgstore's receipts and the jobs' updates
// did (see internal/jsontime).
func TestAnUnrecordedReceiptKeepsItsInstantsInAnyZone(t *testing.T) {
	amsterdam, newYork := time.FixedZone("AMT", 19*60+32), time.FixedZone("LMT", -(4*3600+56*60+2))
	rcpt := broadcast.Receipt{Channel: "x", ID: "post-1", UpdateID: "u-1",
		Time:       time.Date(1930, 6, 1, 12, 0, 59, 123_456_789, amsterdam),
		UpdateTime: time.Date(1880, 3, 14, 15, 9, 26, 535_897_932, newYork)}
	res := broadcast.Result{Channel: "x", Receipt: rcpt,
		Err: broadcast.Permanent(fmt.Errorf("%w: store: save receipt: boom", broadcast.ErrNotRecorded))}
	require.True(t, res.Unrecorded())
	out, ok := recorded(&rivertype.JobRow{}, newOutput(res), "")
	require.True(t, ok)
	meta, err := json.Marshal(map[string]any{"output": out}) // as River keeps it
	require.NoError(t, err)

	d := &Dispatcher{cfg: Config{Store: broadcast.NewMemoryStore()}} // the receipt's record lost
	now := time.Now()
	row := &rivertype.JobRow{ID: 7, State: rivertype.JobStateCompleted, Attempt: 1, Metadata: meta,
		AttemptedAt: &now, FinalizedAt: &now}
	r, finished, err := d.result(context.Background(), "x", "u-1", row, false)
	require.NoError(t, err)
	assert.True(t, finished)
	assert.Equal(t, "post-1", r.Receipt.ID, "the receipt the run kept")
	assert.True(t, rcpt.Time.Equal(r.Receipt.Time), "Time: want %v, got %v", rcpt.Time, r.Receipt.Time)
	assert.True(t, rcpt.UpdateTime.Equal(r.Receipt.UpdateTime), "UpdateTime: want %v, got %v",
		rcpt.UpdateTime, r.Receipt.UpdateTime)
}
