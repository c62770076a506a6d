package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A run the channel's own Close cut short (broadcast.ErrChannelClosed)
// snoozes its job without using up an attempt. Its wait was the backoff's
// of that attempt, which therefore never moved: an instance whose channel
// stays closed took the job back every Retry.InitialInterval until
// Retry.MaxElapsed. It now waits as long as the job has existed, within
// Retry's intervals, as a job of a channel this instance lacks does (the
// same wait), whatever its attempt; never 0; its last wait ends at
// MaxElapsed, and the run after it gives the job up.
func TestClosedChannelSnoozeGrowsWithTheJobsAge(t *testing.T) {
	const maxElapsed = time.Hour
	d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: 3 * time.Second,
		MaxInterval: time.Minute, MaxElapsed: maxElapsed}, Logger: slog.New(slog.DiscardHandler)}}
	d.retry = retryPolicy{RetryPolicy: d.cfg.Retry}
	closed := fmt.Errorf("attempt 1: %w", broadcast.ClosedError("x: channel closed"))
	for _, c := range []struct {
		name        string
		age         time.Duration
		least, most time.Duration
		sameWait    bool // as unknownChannel's, to the nanosecond: at either bound
	}{
		{"just enqueued", 0, 3 * time.Second, 3 * time.Second, true},
		{"20s old", 20 * time.Second, 20 * time.Second, time.Minute, false},
		{"half an hour old", 30 * time.Minute, time.Minute, time.Minute, true},
		{"less than InitialInterval left", maxElapsed - time.Second, time.Nanosecond, time.Second, false},
	} {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/attempt %d", c.name, n), func(t *testing.T) {
				row := &rivertype.JobRow{ID: 1, Attempt: n, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-c.age)}
				var e Event
				kind, err := d.outcome(context.Background(), row, broadcast.Result{Err: closed}, &e)
				require.Equal(t, broadcast.EventRetry, kind, "given up: %v", e.Err)
				var snooze *rivertype.JobSnoozeError
				require.ErrorAs(t, err, &snooze, "no attempt used up")
				assert.True(t, e.Snoozed)
				assert.GreaterOrEqual(t, e.Delay, c.least)
				assert.LessOrEqual(t, e.Delay, c.most)
				assert.Equal(t, e.Delay, snooze.Duration)
				assert.ErrorIs(t, e.Err, broadcast.ErrChannelClosed)
				if c.sameWait {
					var other Event
					_, _ = d.unknownChannel(context.Background(), row, "gone", &other)
					assert.Equal(t, other.Delay, e.Delay, "the wait of a job of a channel this instance lacks")
				}
			})
		}
	}

	// Past MaxElapsed: given up, saying why.
	old := &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-maxElapsed - time.Second)}
	var e Event
	kind, err := d.outcome(context.Background(), old, broadcast.Result{Err: closed}, &e)
	assert.Equal(t, broadcast.EventFailed, kind)
	var cancel *rivertype.JobCancelError
	assert.ErrorAs(t, err, &cancel)
	assert.ErrorContains(t, e.Err, "Retry.MaxElapsed")
	assert.ErrorIs(t, e.Err, broadcast.ErrChannelClosed)

	// A longer wait the platform asked for in the run stands, also on an
	// old job; one past MaxElapsed gives the job up.
	aged := &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-30 * time.Minute)}
	e = Event{}
	_, err = d.outcome(context.Background(), aged, broadcast.Result{Err: broadcast.RetryAfter(closed, 5*time.Minute)}, &e)
	var snooze *rivertype.JobSnoozeError
	if assert.ErrorAs(t, err, &snooze) {
		assert.Equal(t, 5*time.Minute, snooze.Duration)
	}
	e = Event{}
	kind, _ = d.outcome(context.Background(), aged, broadcast.Result{Err: broadcast.RetryAfter(closed, time.Hour)}, &e)
	assert.Equal(t, broadcast.EventFailed, kind)
	assert.ErrorContains(t, e.Err, "Retry.MaxElapsed")
}
