package dispatch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A run that fails without an outcome within the limits (a panic after
// its EventAttempt, args River cannot decode, a row River cannot decode,
// a kind this version does not know) is retried by River by the backoff:
// it ends with one EventRetry, not snoozed, whose Delay is the wait River
// schedules. Before, a panic left its EventAttempt without a next step,
// and the others had no event at all: the metrics' retries_total missed
// them all.
func TestARunThatFailsWithoutAnOutcomeEndsWithEventRetry(t *testing.T) {
	var events []Event
	d, m := strayDispatcher(&events, "x")
	args := []byte(`{"job":{"kind":"send","channel":"x","update":{"id":"u-1","incident_id":"i-1"}},"update_id":"u-1","channel":"x"}`)
	row := func() *rivertype.JobRow {
		return &rivertype.JobRow{ID: 7, Kind: KindSend, Attempt: 2, MaxAttempts: 3 + maxRescues,
			CreatedAt: time.Now(), EncodedArgs: args}
	}
	decodeErr := errors.New("json: cannot unmarshal string into Go struct field")
	for _, tt := range []struct {
		name string
		run  func(row *rivertype.JobRow)
		want broadcast.EventKind // the event before the last one, if any
		err  string
	}{
		{"panic after EventAttempt", func(row *rivertype.JobRow) {
			assert.PanicsWithValue(t, "a string", func() {
				_ = m.Work(context.Background(), row, func(context.Context) error {
					d.emit(Event{Job: broadcast.JobSend, JobID: row.ID}, broadcast.EventAttempt)
					panic("bug")
				})
			}, "left to River, which records it and retries the job")
		}, broadcast.EventAttempt, "panic: a string"},
		{"args River cannot decode", func(row *rivertype.JobRow) {
			err := m.Work(context.Background(), row, func(context.Context) error { return decodeErr })
			require.ErrorIs(t, err, decodeErr)
			assert.Nil(t, m.HandleError(context.Background(), row, err), "judged in Work")
		}, "", decodeErr.Error()},
		{"row River cannot decode", func(row *rivertype.JobRow) {
			assert.Nil(t, m.HandleError(context.Background(), row, decodeErr))
		}, "", decodeErr.Error()},
		{"kind this version does not know", func(row *rivertype.JobRow) {
			assert.Nil(t, m.HandleError(context.Background(), row, &rivertype.UnknownJobKindError{Kind: "outagecast_later"}))
		}, "", "outagecast_later"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events = nil
			r := row()
			tt.run(r)
			want := 1
			if tt.want != "" {
				want = 2
				require.NotEmpty(t, events)
				assert.Equal(t, tt.want, events[0].Kind)
			}
			require.Len(t, events, want, "one next step")
			e := events[len(events)-1]
			assert.Equal(t, broadcast.EventRetry, e.Kind)
			assert.False(t, e.Snoozed, "an attempt used up: by the backoff")
			assert.ErrorContains(t, e.Err, tt.err)
			assert.Equal(t, "x", e.Channel)
			assert.Equal(t, "u-1", e.UpdateID)
			assert.Equal(t, int64(7), e.JobID)
			assert.Equal(t, 2, e.Attempt)
			wait := d.retry.NextRetry(r).Sub(d.retry.now()) // as River asks once the run returned
			assert.InDelta(t, wait, e.Delay, float64(100*time.Millisecond), "Delay %v, River's wait %v", e.Delay, wait)
		})
	}
}

// A run that fails without an outcome, within the limits, of a job an
// operator cancelled while it ran (River's Client.JobCancel, which cancels
// the run's ctx) is not retried: River cancels the job. Its Event says so,
// EventFailed wrapping ErrCancelledByOperator, as for a run with an
// outcome, not EventRetry.
func TestARunThatFailsWithoutAnOutcomeOfAJobCancelledIsFailed(t *testing.T) {
	var events []Event
	_, m := strayDispatcher(&events, "x")
	row := &rivertype.JobRow{ID: 7, Kind: KindSend, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now(),
		EncodedArgs: []byte(`{"job":{"kind":"send","channel":"x","update":{"id":"u-1"}},"update_id":"u-1","channel":"x"}`)}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(river.ErrJobCancelledRemotely)
	assert.Panics(t, func() {
		_ = m.Work(ctx, row, func(context.Context) error { panic("bug") })
	})
	require.Len(t, events, 1)
	assert.Equal(t, broadcast.EventFailed, events[0].Kind)
	assert.ErrorIs(t, events[0].Err, ErrCancelledByOperator)
	assert.ErrorContains(t, events[0].Err, "panic: a string")
}

// River gives its ErrorHandler ErrJobCancelledRemotely, not the run's own
// error, for a run that failed after an operator cancelled the job
// (River's reportResults replaces it): a run through Work, which judged
// it and had its Event already (its outcome's, or its stray failure's),
// has no second one; a run River failed before any middleware (a row it
// cannot decode) has one, EventFailed wrapping ErrCancelledByOperator.
// Either is cancelled, not discarded on River's last attempt. Before, HandleError took every such run for one that never reached
// Work: a job cancelled while it ran had a second EventFailed (a second
// failure in the metrics), past the limits a second giving up.
func TestARunCancelledByAnOperatorHasOneEvent(t *testing.T) {
	var events []Event
	d, m := strayDispatcher(&events, "x")
	args := []byte(`{"job":{"kind":"send","channel":"x","update":{"id":"u-1"}},"update_id":"u-1","channel":"x"}`)
	for _, tt := range []struct {
		name    string
		attempt int
		inner   func(ctx context.Context) error // nil: River failed the run before any middleware
	}{
		{"outcome", 1, func(ctx context.Context) error {
			return d.finish(ctx, &rivertype.JobRow{ID: 7}, Event{Job: broadcast.JobSend, JobID: 7,
				Event: broadcast.Event{Err: ErrCancelledByOperator}}, broadcast.EventFailed,
				river.JobCancel(ErrCancelledByOperator))
		}},
		{"outcome, last attempt", 3, func(ctx context.Context) error {
			return d.finish(ctx, &rivertype.JobRow{ID: 7}, Event{Job: broadcast.JobSend, JobID: 7,
				Event: broadcast.Event{Err: ErrCancelledByOperator}}, broadcast.EventFailed,
				river.JobCancel(ErrCancelledByOperator))
		}},
		{"args River cannot decode", 1, func(context.Context) error { return errors.New("json: cannot unmarshal") }},
		{"args River cannot decode, last attempt", 3, func(context.Context) error { return errors.New("json: cannot unmarshal") }},
		{"row River cannot decode", 1, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events = nil
			row := &rivertype.JobRow{ID: 7, Kind: KindSend, Attempt: tt.attempt, MaxAttempts: 3 + maxRescues,
				CreatedAt: time.Now(), EncodedArgs: args}
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(river.ErrJobCancelledRemotely)
			if tt.inner != nil {
				require.Error(t, m.Work(ctx, row, tt.inner))
			}
			// As River's JobExecutor does with a run's error once the
			// job's ctx was cancelled remotely.
			res := m.HandleError(ctx, row, context.Cause(ctx))
			require.NotNil(t, res)
			assert.True(t, res.SetCancelled, "cancelled, not discarded on River's last attempt")
			require.Len(t, events, 1, "one Event for the run")
			n := 0
			d.judged.Range(func(any, any) bool { n++; return true })
			assert.Zero(t, n, "the run's mark goes once HandleError saw it")
			assert.Equal(t, broadcast.EventFailed, events[0].Kind)
			assert.ErrorIs(t, events[0].Err, ErrCancelledByOperator)
		})
	}
}
