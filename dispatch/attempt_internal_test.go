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

// kinds are the kinds of events, in order.
func kinds(events []Event) []broadcast.EventKind {
	var ks []broadcast.EventKind
	for _, e := range events {
		ks = append(ks, e.Kind)
	}
	return ks
}

// A run that never called its channel (broadcast.NotTried: its
// Broadcaster closed, a wait for a retraction under way or for the
// channel) made no attempt, and reports none: EventRetry alone, snoozed,
// as a run that waits for its original does. Each such run reported
// EventAttempt before, and dispatch/metrics' attempts_total counted a
// job waiting for a closed Broadcaster once a Retry.InitialInterval, the
// channel never tried. A run that tried the channel reports its attempt,
// stamped with the time it started, before its outcome.
func TestARunThatDidNotTryTheChannelReportsNoAttempt(t *testing.T) {
	row := func() *rivertype.JobRow {
		return &rivertype.JobRow{ID: 7, Attempt: 1, MaxAttempts: 3 + maxRescues, CreatedAt: time.Now()}
	}
	t.Run("closed", func(t *testing.T) {
		d, events := dispatcherFailingWith(t, errors.New("503"))
		jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
		require.NoError(t, err)
		require.NoError(t, d.cfg.Broadcaster.Close())
		_ = d.work(context.Background(), row(), jobs[0])
		assert.Equal(t, []broadcast.EventKind{broadcast.EventRetry}, kinds(*events))
		require.NotEmpty(t, *events)
		assert.ErrorIs(t, (*events)[0].Err, broadcast.ErrClosed)
		assert.True(t, (*events)[0].Snoozed)
	})
	t.Run("waiting for a retraction", func(t *testing.T) {
		c := &deletions{fails: []error{errors.New("503 service unavailable")}}
		b, err := broadcast.New([]broadcast.Channel{c}, broadcast.Options{Store: broadcast.NewMemoryStore()})
		require.NoError(t, err)
		defer b.Close()
		d, events := dispatcherOf(t, b)
		ctx := context.Background()
		newer, older, retract := retractionJobs(t, b)
		require.NoError(t, b.RunJob(ctx, newer[0], 1).Err)
		require.Error(t, b.RunJob(ctx, retract[0], 1).Err, "the retraction is under way, to be retried")
		_ = d.work(ctx, row(), older[0])
		assert.Equal(t, []broadcast.EventKind{broadcast.EventRetry}, kinds(*events))
		require.NotEmpty(t, *events)
		assert.True(t, broadcast.NotTried((*events)[0].Err), "%v", (*events)[0].Err)
		assert.True(t, (*events)[0].Snoozed)
	})
	t.Run("tried", func(t *testing.T) {
		d, events := dispatcherFailingWith(t, errors.New("503"))
		jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating}, "")
		require.NoError(t, err)
		before := time.Now()
		_ = d.work(context.Background(), row(), jobs[0])
		assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventRetry}, kinds(*events))
		require.Len(t, *events, 2)
		attempt, retry := (*events)[0], (*events)[1]
		assert.NoError(t, attempt.Err)
		assert.Equal(t, 1, attempt.Attempt)
		assert.False(t, attempt.Time.Before(before.Add(-time.Second)))
		assert.False(t, attempt.Time.After(retry.Time), "stamped when the attempt started")
	})
}
