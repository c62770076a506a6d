package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// rateLimited is an editable channel whose first attempt is refused with a
// long RetryAfter, and whose later attempts post.
type rateLimited struct {
	editable
	once    sync.Once
	waiting chan struct{} // closed when the first attempt was refused
}

func (r *rateLimited) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	first := false
	r.once.Do(func() { first = true })
	if first {
		defer close(r.waiting)
		return broadcast.Receipt{}, broadcast.RetryAfter(errors.New("429 too many requests"), time.Hour)
	}
	return r.editable.Send(ctx, m)
}

// A Retract of an update a channel is still waiting to retry stops that
// retry: the retracted update is never posted there afterwards.
func TestRetractStopsARetryWaitingToPost(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	x := &rateLimited{editable: editable{script: script{name: "x"}}, waiting: make(chan struct{})}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxElapsed: 2 * time.Hour}}, slack, x)
	u := validUpdate()
	u.ID = "wrong-1"

	done := sendInBackground(t, b, u)
	<-x.waiting
	require.Eventually(t, func() bool { return slack.count() == 1 }, 10*time.Second, time.Millisecond)

	ret, err := b.Retract(context.Background(), "wrong-1")
	require.NoError(t, err)
	assert.Len(t, slack.retracts, 1)
	assert.True(t, ret.Results[1].Skipped, "x never posted it")
	select {
	case rep := <-done:
		assert.Zero(t, x.count(), "the retracted update was posted after the retraction")
		assert.Error(t, rep.Results[1].Err, "x did not deliver the update")
		assert.True(t, broadcast.IsPermanent(rep.Results[1].Err))
		assert.Equal(t, 1, rep.Results[1].Attempts)
	case <-time.After(10 * time.Second):
		t.Fatal("the retry of the retracted update still waits to post it")
	}
}

// A Retract of an update no channel has posted yet, because every channel
// is still retrying it, is not refused: it stops the retries.
func TestRetractOfAnUpdateOnlyInFlight(t *testing.T) {
	x := &rateLimited{editable: editable{script: script{name: "x"}}, waiting: make(chan struct{})}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxElapsed: 2 * time.Hour}}, x)
	u := validUpdate()
	u.ID = "wrong-2"

	done := sendInBackground(t, b, u)
	<-x.waiting
	ret, err := b.Retract(context.Background(), "wrong-2")
	require.NoError(t, err, "the update is on its way: retracting it must stop it")
	assert.True(t, ret.Results[0].Skipped)
	select {
	case rep := <-done:
		assert.Zero(t, x.count())
		assert.Error(t, rep.Results[0].Err)
	case <-time.After(10 * time.Second):
		t.Fatal("the retry of the retracted update still waits to post it")
	}
}

// blocking posts only when released, so that a Retract can run while its
// attempt is under way.
type blocking struct {
	editable
	started chan struct{}
	release chan struct{}
}

func (c *blocking) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	close(c.started)
	<-c.release
	return c.editable.Send(ctx, m)
}

// A Retract that runs while a channel's attempt is posting the update waits
// for that attempt, and deletes what it posted.
func TestRetractDuringAnAttemptDeletesItsPost(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	x := &blocking{editable: editable{script: script{name: "x"}}, started: make(chan struct{}), release: make(chan struct{})}
	b := newBroadcaster(t, broadcast.Options{}, slack, x)
	u := validUpdate()
	u.ID = "wrong-3"

	done := sendInBackground(t, b, u)
	<-x.started
	require.Eventually(t, func() bool { return slack.count() == 1 }, 10*time.Second, time.Millisecond)
	retracted := make(chan *broadcast.Report, 1)
	go func() {
		ret, err := b.Retract(context.Background(), "wrong-3")
		assert.NoError(t, err)
		retracted <- ret
	}()
	// Give Retract the time to reach x before its attempt ends. It does not
	// decide whether the test passes: a Retract that started late finds
	// the post all the same; only a wrong one then fails.
	time.Sleep(50 * time.Millisecond)
	close(x.release)
	rep := <-done
	require.NoError(t, rep.Results[1].Err)
	ret := <-retracted
	assert.False(t, ret.Results[1].Skipped, "x posted the update: its post must be deleted")
	x.mu.Lock()
	defer x.mu.Unlock()
	require.Len(t, x.retracts, 1)
	assert.Equal(t, rep.Results[1].Receipt.ID, x.retracts[0].ID)
}

// sendInBackground sends u through b in a goroutine of its own; the channel
// gets its Report. The Send is cancelled at the test's end, before b is
// closed, should the test fail first.
func sendInBackground(t *testing.T, b *broadcast.Broadcaster, u broadcast.Update) <-chan *broadcast.Report {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan *broadcast.Report, 1)
	go func() {
		rep, _ := b.Send(ctx, u)
		done <- rep
	}()
	return done
}
