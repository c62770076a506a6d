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
