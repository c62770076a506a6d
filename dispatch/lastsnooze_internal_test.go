package dispatch

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A job that did not try its channel (this instance lacks it; the
// database could not be read) snoozes, and is given up past
// Retry.MaxElapsed. Its last snooze, whose wait would have taken it past
// MaxElapsed, gave it up at once instead: up to a whole MaxInterval early
// for a channel another instance was about to have. The last snooze ends
// at MaxElapsed; the job is given up only once MaxElapsed has passed.
func TestLastSnoozeOfAJobNotTriedEndsAtMaxElapsed(t *testing.T) {
	d, _ := dispatcherFailingWith(t, errors.New("unused"))
	const maxElapsed = time.Hour // dispatcherFailingWith's Retry: MaxInterval 1m, InitialInterval 1s
	for _, tt := range []struct {
		name string
		step func(row *rivertype.JobRow, e *Event) (broadcast.EventKind, error)
		wait time.Duration // the wait with MaxElapsed far off
	}{
		{"unknown channel", func(row *rivertype.JobRow, e *Event) (broadcast.EventKind, error) {
			return d.unknownChannel(context.Background(), row, "gone", e)
		}, time.Minute},
		{"database unread", func(row *rivertype.JobRow, e *Event) (broadcast.EventKind, error) {
			return d.unread(row, errors.New("connection refused"), e)
		}, time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				name   string
				age    time.Duration
				most   time.Duration // the snooze, at most
				least  time.Duration // and at least
				failed bool
			}{
				{"far from MaxElapsed", 30 * time.Minute, tt.wait, tt.wait, false},
				{"less than a wait left", maxElapsed - tt.wait/2, tt.wait / 2, time.Nanosecond, false},
				{"past MaxElapsed", maxElapsed + time.Second, 0, 0, true},
			} {
				t.Run(c.name, func(t *testing.T) {
					row := &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-c.age)}
					var e Event
					kind, err := tt.step(row, &e)
					if c.failed {
						assert.Equal(t, broadcast.EventFailed, kind)
						assert.ErrorContains(t, err, "Retry.MaxElapsed")
						return
					}
					require.Equal(t, broadcast.EventRetry, kind, "given up with %v left: %v", maxElapsed-c.age, e.Err)
					var snooze *rivertype.JobSnoozeError
					require.ErrorAs(t, err, &snooze)
					assert.True(t, e.Snoozed)
					assert.LessOrEqual(t, e.Delay, c.most)
					assert.GreaterOrEqual(t, e.Delay, c.least)
					assert.Equal(t, e.Delay, snooze.Duration)
				})
			}
		})
	}
}

// So does a run that did not try the channel because it waited: for the
// attempt under way on it (broadcast.ErrBusy), or for the retraction under
// way of a newer post of the incident, whose wait grows with the backoff.
// A wait that would end past MaxElapsed gave the job up at once, up to
// MaxInterval early; it waits out what is left instead.
func TestLastWaitOfARunNotTriedEndsAtMaxElapsed(t *testing.T) {
	c := &deletions{fails: []error{errors.New("503 service unavailable")}}
	b, err := broadcast.New([]broadcast.Channel{c}, broadcast.Options{Store: broadcast.NewMemoryStore()})
	require.NoError(t, err)
	defer b.Close()
	const maxElapsed = time.Hour
	d := &Dispatcher{cfg: Config{Broadcaster: b, Retry: broadcast.RetryPolicy{MaxAttempts: 20, InitialInterval: time.Second,
		MaxInterval: 5 * time.Minute, MaxElapsed: maxElapsed}}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	ctx := context.Background()
	newer, older, retract := retractionJobs(t, b)
	require.NoError(t, b.RunJob(ctx, newer[0], 1).Err)
	require.Error(t, b.RunJob(ctx, retract[0], 1).Err, "the retraction is under way, to be retried")
	waiting := b.RunJob(ctx, older[0], 1)
	require.True(t, broadcast.NotTried(waiting.Err), "%v", waiting.Err)
	busy := broadcast.Result{Channel: "x", Err: fmt.Errorf("%w: %w", broadcast.ErrBusy, context.DeadlineExceeded)}

	for _, tt := range []struct {
		name string
		res  broadcast.Result
		left time.Duration // less than the wait: 5m for the retraction's (attempt 9), 1s for ErrBusy
	}{
		{"retraction under way", waiting, 2 * time.Minute},
		{"busy", busy, 500 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			row := &rivertype.JobRow{ID: 1, Attempt: 9, MaxAttempts: 20 + maxRescues, CreatedAt: time.Now().Add(tt.left - maxElapsed)}
			var e Event
			kind, err := d.outcome(ctx, row, tt.res, &e)
			require.Equal(t, broadcast.EventRetry, kind, "given up with %v left: %v", tt.left, e.Err)
			var snooze *rivertype.JobSnoozeError
			require.ErrorAs(t, err, &snooze, "no attempt used up")
			assert.True(t, e.Snoozed)
			assert.Positive(t, e.Delay)
			assert.LessOrEqual(t, e.Delay, tt.left)

			row.CreatedAt = time.Now().Add(-maxElapsed - time.Second)
			kind, err = d.outcome(ctx, row, tt.res, &e)
			assert.Equal(t, broadcast.EventFailed, kind, "past MaxElapsed")
			assert.ErrorContains(t, err, "Retry.MaxElapsed")
		})
	}

	// A run that tried the channel is not: the retry would start past
	// MaxElapsed.
	row := &rivertype.JobRow{ID: 1, Attempt: 9, MaxAttempts: 20 + maxRescues, CreatedAt: time.Now().Add(2*time.Minute - maxElapsed)}
	var e Event
	kind, _ := d.outcome(ctx, row, broadcast.Result{Channel: "x", Err: errors.New("503")}, &e)
	assert.Equal(t, broadcast.EventFailed, kind)
}
