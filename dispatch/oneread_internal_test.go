package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// tickingClock is a fake clock of this instance that moves on by step at
// each reading, as a real one moves on between two: a decision that reads
// it twice sees two times.
type tickingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *tickingClock) read() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

// The Delay of the EventRetry of an ordinary retry (by the backoff) is
// the backoff's wait, jittered, as River schedules it: from one reading
// of the clock. Before, the time of the retry and the time it was
// measured from were two readings, and Delay came out short by the time
// between them (here a second a reading), not the wait scheduled. The
// same for a run that failed without an outcome (retryStray).
func TestRetryDelayIsFromOneReadingOfTheClock(t *testing.T) {
	policy := broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Second, MaxInterval: time.Minute, MaxElapsed: time.Hour}
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, offset := range []time.Duration{0, 5 * time.Second, -5 * time.Second} {
		clock := &dbClock{readLocal: (&tickingClock{t: start, step: time.Second}).read}
		clock.offset.Store(int64(offset)) // the database's clock ahead of this instance's, or behind
		var events []Event
		d := &Dispatcher{cfg: Config{Retry: policy, Logger: slog.New(slog.DiscardHandler),
			OnEvent: func(e Event) { events = append(events, e) }}, channels: []string{"x"}}
		d.retry = retryPolicy{RetryPolicy: policy, clock: clock}
		row := &rivertype.JobRow{ID: 7, Kind: KindSend, Attempt: 2, MaxAttempts: 3 + maxRescues, CreatedAt: start.Add(offset),
			EncodedArgs: []byte(`{"job":{"kind":"send","channel":"x","update":{"id":"u-1"}},"update_id":"u-1","channel":"x"}`)}
		// River refuses a retry due before its instance's clock: one
		// ahead of the database's retries late by its lead (see backoff).
		want := max(d.retry.jitter(row, d.retry.delay(2)), -offset)

		var e Event
		kind, err := d.outcome(context.Background(), row, broadcast.Result{Err: errors.New("503")}, &e)
		require.Equal(t, broadcast.EventRetry, kind, "%v", e.Err)
		require.Error(t, err)
		assert.False(t, e.Snoozed)
		assert.Equal(t, want, e.Delay, "offset %v: outcome", offset)

		d.retryStray(context.Background(), row, errors.New("panic: bug"))
		require.NotEmpty(t, events)
		last := events[len(events)-1]
		require.Equal(t, broadcast.EventRetry, last.Kind, "%v", last.Err)
		assert.Equal(t, want, last.Delay, "offset %v: retryStray", offset)
	}
}

// The time a retraction job runs no more (jobEnd) is, by this instance's
// clock, Retry.MaxElapsed after the job was enqueued (by the database's)
// plus RescueAfter: the time left is measured on the database's clock and
// carried to this instance's from one reading of the clocks. Before, the
// database's time and this instance's were two readings, and the end came
// out late by the time between them (here a second a reading).
func TestJobEndIsFromOneReadingOfTheClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, offset := range []time.Duration{0, 5 * time.Second, -5 * time.Second} {
		clock := &dbClock{readLocal: (&tickingClock{t: start, step: time.Second}).read}
		clock.offset.Store(int64(offset)) // the database's clock ahead of this instance's, or behind
		d := &Dispatcher{cfg: Config{Retry: broadcast.RetryPolicy{MaxElapsed: time.Hour}, RescueAfter: time.Minute}}
		d.retry = retryPolicy{RetryPolicy: d.cfg.Retry, clock: clock}
		// Enqueued at start by the database's clock: start-offset by this
		// instance's.
		end := d.jobEnd(&rivertype.JobRow{CreatedAt: start.Add(offset)})
		assert.Equal(t, start.Add(time.Hour+time.Minute), end, "offset %v", offset)
	}
}
