package dispatch

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction or retraction whose look for its original's delivery the
// instance stopping cut short (Stop, or Start's ctx ended, cancels the
// runs) runs again at once elsewhere, no attempt used up, as an attempt
// cut short does. It was taken for a database that cannot be read: snoozed
// for Retry.InitialInterval and, when its first run came past its own
// Retry.MaxElapsed (a queue that was not worked for hours), given up
// without its channel ever being tried.
func TestAwaitingJobCutShortByStopRunsAgainAtOnce(t *testing.T) {
	for _, kind := range []broadcast.JobKind{broadcast.JobCorrect, broadcast.JobRetract} {
		for _, age := range []time.Duration{time.Minute, 2 * time.Hour} {
			t.Run(string(kind)+"/"+age.String(), func(t *testing.T) {
				d, events := failingDispatcher(t)
				job := broadcast.Job{Kind: kind, Update: broadcast.Update{ID: "u-2"}, Original: "u-1", Channel: "x"}
				row := &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now().Add(-age)}
				ctx, stop := context.WithCancel(context.Background())
				stop()
				err := d.work(ctx, row, job)
				var snooze *rivertype.JobSnoozeError
				require.ErrorAs(t, err, &snooze, "run again, not given up")
				assert.Zero(t, snooze.Duration, "at once")
				require.Len(t, *events, 1)
				e := (*events)[0]
				assert.Equal(t, broadcast.EventRetry, e.Kind)
				assert.True(t, e.Snoozed, "no attempt used up")
				assert.Zero(t, e.Delay)
				assert.ErrorIs(t, e.Err, context.Canceled)
			})
		}
	}
}
