package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A delivery whose context ends while its retry waits for another attempt
// of its incident reports the last attempt's error and pending targets,
// not only the wait's.
func TestStoppedWhileWaitingForTheTurnKeepsPendingTargets(t *testing.T) {
	retrying := make(chan struct{})
	otherIn, otherGo := make(chan struct{}), make(chan struct{})
	ch := broadcast.ChannelFunc("mail", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Update.ID == "other" {
			close(otherIn)
			<-otherGo
			return broadcast.Receipt{}, nil
		}
		f := broadcast.NewFanout(m, []string{"ada@example.com", "bob@example.com"})
		for _, i := range f.Todo() {
			if i == 0 {
				f.Report(i, nil)
			} else {
				f.Report(i, errors.New("421 try again later"))
			}
		}
		return broadcast.Receipt{}, f.Err()
	})
	b := newBroadcaster(t, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaxInterval: 100 * time.Millisecond},
		OnEvent: func(e broadcast.Event) {
			if e.Kind == broadcast.EventRetry {
				close(retrying)
			}
		},
	}, ch)
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	first, other := validUpdate(), validUpdate()
	first.ID, first.IncidentID, first.Time = "first", "inc", t0
	other.ID, other.IncidentID, other.Time = "other", "inc", t0.Add(-time.Hour) // older: it does not supersede

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := make(chan *broadcast.Report, 1)
	go func() {
		rep, _ := b.Send(ctx, first)
		sent <- rep
	}()
	<-retrying
	otherDone := make(chan struct{})
	go func() {
		defer close(otherDone)
		_, _ = b.Send(context.Background(), other)
	}()
	<-otherIn
	// Past the retry wait: the retry now waits for the other attempt. This
	// only makes the test sharper; a cancellation during the wait must
	// report the same.
	time.Sleep(300 * time.Millisecond)
	cancel()
	rep := <-sent
	close(otherGo)
	<-otherDone

	res := rep.Results[0]
	assert.ErrorIs(t, res.Err, context.Canceled)
	assert.Equal(t, 1, res.Attempts)
	assert.Equal(t, []string{"ada@example.com"}, res.Delivered)
	require.Len(t, res.Pending, 1, "the target the last attempt did not reach: %v", res.Err)
	assert.Equal(t, "bob@example.com", res.Pending[0].Target)
	assert.ErrorContains(t, res.Err, "421 try again later")
}

// A correction posted in the thread with the Time of the update it corrects
// does not make an update older than the thread's latest post look newer:
// such an update is still superseded, not posted after the latest.
func TestCorrectionWithAnOldTimeKeepsOlderUpdatesSuperseded(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	a, later, mid := validUpdate(), validUpdate(), validUpdate()
	a.ID, a.IncidentID, a.Time = "a", "inc", t0
	later.ID, later.IncidentID, later.Time, later.Status = "later", "inc", t0.Add(30*time.Minute), broadcast.StatusMonitoring
	mid.ID, mid.IncidentID, mid.Time, mid.Status = "mid", "inc", t0.Add(15*time.Minute), broadcast.StatusIdentified
	for _, u := range []broadcast.Update{a, later} {
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	fixed := a // corrected, keeping the Time it was written
	fixed.ID, fixed.Body = "a-fixed", "We are investigating elevated error rates on the CDN in Europe."
	rep, err := b.Correct(context.Background(), "a", fixed)
	require.NoError(t, err)
	require.False(t, rep.Results[0].Skipped)
	require.Equal(t, 3, x.count())

	rep, err = b.Send(context.Background(), mid)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "mid is older than the update x posted before the correction")
	assert.Equal(t, 3, x.count())
}
