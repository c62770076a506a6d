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

// A fan-out attempt where one target timed out (its post may be up) and
// another was rate limited is not a definite answer: the timed-out
// target's outcome is unknown, though Fanout.Err marks the whole
// TargetsError with the rate limit's RetryAfter: a later run's first
// attempt is Attempt 2, and looks for the post.
func TestFanoutRateLimitDoesNotAnswerATimedOutTarget(t *testing.T) {
	store := broadcast.NewMemoryStore()
	var mu sync.Mutex
	var seen []int
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		seen = append(seen, m.Attempt)
		n := len(seen)
		mu.Unlock()
		if n > 1 {
			return broadcast.Receipt{ID: "post"}, nil
		}
		return broadcast.Receipt{}, broadcast.RetryAfter(&broadcast.TargetsError{Total: 2, Pending: []broadcast.TargetFailure{
			{Target: "a", Err: errors.New("read: i/o timeout")},
			{Target: "b", Err: broadcast.RetryAfter(errors.New("429"), time.Hour)},
		}}, time.Hour)
	})
	u := validUpdate()
	u.ID = "u-1"
	once := broadcast.RetryPolicy{MaxAttempts: 1}
	_, err := newBroadcaster(t, broadcast.Options{Store: store, Retry: once}, ch).Send(context.Background(), u)
	require.Error(t, err)
	_, err = newBroadcaster(t, broadcast.Options{Store: store, Retry: once}, ch).Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, seen, "target a's outcome is unknown: the later run must look for its post")
}

// In one Broadcaster (no Options.Lock), a Retract of an in-place
// correction, which deletes the post it shares with its original, waits
// for a Correct of the original editing it, as across instances
// (LockKey.Post): else the edit finds it gone and posts the correction
// anew, up after the Retract.
func TestInProcessRetractOfInPlaceCorrectionWaitsForACorrectOfItsOriginal(t *testing.T) {
	store := broadcast.NewMemoryStore()
	x := &gatedPosts{livePosts: livePosts{name: "x", editing: make(chan struct{}), release: make(chan struct{}), live: map[string]string{}}, gate: "fix-3"}
	a := newBroadcaster(t, broadcast.Options{Store: store}, x)
	u := validUpdate()
	u.ID, u.IncidentID = "wrong", "cdn-42"
	_, err := a.Send(context.Background(), u)
	require.NoError(t, err)
	c1 := u
	c1.ID, c1.Body = "fix-1", "We are investigating elevated error rates on the CDN in Europe."
	_, err = a.Correct(context.Background(), u.ID, c1)
	require.NoError(t, err)
	c3 := u
	c3.ID, c3.Body = "fix-3", "We are investigating elevated error rates on the CDN in Asia."
	raceEditAndRetract(t, x, a, a, u.ID, "fix-1", c3)
}

// gatedSend is gatedPosts whose Send of update sendGate waits for
// sendRelease once it was called.
type gatedSend struct {
	gatedPosts
	sendGate    string
	sending     chan struct{}
	sendRelease chan struct{}
}

func (c *gatedSend) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if m.Update.ID == c.sendGate {
		close(c.sending)
		<-c.sendRelease
	}
	return c.livePosts.Send(ctx, m)
}

// A Correct that starts while another instance's Send of the original is
// under way reads no receipt before its lock; once the Send saved its
// receipt, it edits that post. It holds the post's lock all the same (it
// reads the receipt again once locked, and locks the post it names): a
// Retract on a third instance waits for the edit instead of deleting the
// post under it, after which the correction would be posted anew.
func TestCorrectStartedDuringTheOriginalsSendLocksItsPost(t *testing.T) {
	store, inner := broadcast.NewMemoryStore(), waitingLock()
	var mu sync.Mutex
	var keys []broadcast.LockKey
	asked := make(chan struct{}, 8)
	lock := func(ctx context.Context, k broadcast.LockKey) (func(), error) {
		mu.Lock()
		keys = append(keys, k)
		mu.Unlock()
		if k.Channel == "x" {
			asked <- struct{}{}
		}
		return inner(ctx, k)
	}
	x := &gatedSend{gatedPosts: gatedPosts{livePosts: livePosts{name: "x", editing: make(chan struct{}), release: make(chan struct{}), live: map[string]string{}}, gate: "fix-1"},
		sendGate: "wrong", sending: make(chan struct{}), sendRelease: make(chan struct{})}
	// y delivers the original at once: Correct needs it delivered somewhere.
	y := &livePosts{name: "y", live: map[string]string{}}
	a := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock}, x, y)
	b := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock}, x, y)
	c := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock}, x, y)
	u := validUpdate()
	u.ID, u.IncidentID = "wrong", "cdn-42"
	sent := make(chan error, 1)
	go func() { _, err := a.Send(context.Background(), u); sent <- err }()
	<-x.sending
	<-asked // the Send's lock
	for len(y.up()) == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // y's delivery recorded
	c1 := u
	c1.ID, c1.Body = "fix-1", "We are investigating elevated error rates on the CDN in Europe."
	corrected := make(chan error, 1)
	go func() { _, err := b.Correct(context.Background(), u.ID, c1); corrected <- err }()
	select {
	case <-asked: // the Correct asks for its lock, the post read before it
	case err := <-corrected:
		t.Fatalf("Correct returned: %v", err)
	}
	close(x.sendRelease)
	require.NoError(t, <-sent)
	<-x.editing // the Correct got its lock and edits the post
	retracted := make(chan error, 1)
	go func() { _, err := c.Retract(context.Background(), u.ID); retracted <- err }()
	time.Sleep(50 * time.Millisecond)
	close(x.release)
	<-corrected
	<-retracted
	mu.Lock()
	t.Logf("lock keys: %+v", keys)
	mu.Unlock()
	assert.Empty(t, x.up(), "a post is still up after the Retract")
}
