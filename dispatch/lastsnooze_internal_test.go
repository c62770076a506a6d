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
