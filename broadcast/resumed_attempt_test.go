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

// attempts is a channel that records each Message.Attempt it is called
// with and answers its calls in turn with answers (a call past them
// succeeds).
type attempts struct {
	answers []error
	mu      sync.Mutex
	seen    []int
}

// errTimedOut is a timeout's answer: the post may have gone out, but no
// answer came.
var errTimedOut = errors.New("read: i/o timeout")

func (a *attempts) Name() string { return "x" }

func (a *attempts) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen = append(a.seen, m.Attempt)
	if n := len(a.seen); n <= len(a.answers) && a.answers[n-1] != nil {
		return broadcast.Receipt{}, a.answers[n-1]
	}
	return broadcast.Receipt{ID: "post"}, nil
}

func (a *attempts) got() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int(nil), a.seen...)
}

// sendTwice sends update u-1 on ch in a first run, which fails, then in a
// later one (another Broadcaster on the same Store), which delivers it.
func sendTwice(t *testing.T, ch broadcast.Channel, retry broadcast.RetryPolicy) {
	t.Helper()
	store := broadcast.NewMemoryStore()
	u := validUpdate()
	u.ID = "u-1"
	first := newBroadcaster(t, broadcast.Options{Store: store, Retry: retry}, ch)
	_, err := first.Send(context.Background(), u)
	require.Error(t, err)
	again := newBroadcaster(t, broadcast.Options{Store: store, Retry: retry}, ch)
	_, err = again.Send(context.Background(), u)
	require.NoError(t, err)
}

// A run whose attempt reached the channel without its outcome recorded
// (a timeout, retries used up; or a process that ended) leaves a Send of
// the same update in a later run, or another Broadcaster sharing the
// Store, an Attempt above 1: the channel looks for the post the earlier
// attempt may have made before posting again, as on any retry.
func TestLaterRunKnowsAnEarlierAttempt(t *testing.T) {
	ch := &attempts{answers: []error{errTimedOut}}
	sendTwice(t, ch, broadcast.RetryPolicy{MaxAttempts: 1})
	assert.Equal(t, []int{1, 2}, ch.got())
}

// So does a job run again from its first attempt, as a queue does with one
// whose worker died during it (dispatch's rescued job keeps its number).
func TestRunJobKnowsAnEarlierAttempt(t *testing.T) {
	ch := &attempts{answers: []error{errTimedOut}}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)
	assert.Error(t, b.RunJob(context.Background(), jobs[0], 1).Err)
	assert.NoError(t, b.RunJob(context.Background(), jobs[0], 1).Err)
	assert.Equal(t, []int{1, 2}, ch.got())
}

// A first attempt with no earlier one is Attempt 1, however many updates
// the Store holds.
func TestFirstAttemptIsOne(t *testing.T) {
	store := broadcast.NewMemoryStore()
	ch := &attempts{} // every call succeeds
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	for _, id := range []string{"u-1", "u-2"} {
		u := validUpdate()
		u.ID, u.IncidentID = id, "inc"
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	assert.Equal(t, []int{1, 1}, ch.got())
}

// An attempt whose outcome is unknown stays so: a later attempt's definite
// refusal says nothing of it, and a later run still looks for its post.
func TestUnknownOutcomeOutlivesALaterRefusal(t *testing.T) {
	ch := &attempts{answers: []error{errTimedOut, broadcast.Permanent(errors.New("401 Unauthorized"))}}
	sendTwice(t, ch, broadcast.RetryPolicy{})
	assert.Equal(t, []int{1, 2, 2}, ch.got())
}

// An earlier run whose attempts all got a definite answer (a refusal, a
// rate limit: nothing was posted, and the platform said so) leaves a
// later run's first attempt Attempt 1: X takes a duplicate refusal on
// Attempt > 1 as delivered, which would record a post that does not exist.
func TestDefiniteRefusalLeavesNoUnknownOutcome(t *testing.T) {
	ch := &attempts{answers: []error{broadcast.Permanent(errors.New("400 invalid request"))}}
	sendTwice(t, ch, broadcast.RetryPolicy{})
	assert.Equal(t, []int{1, 1}, ch.got())
}

// A rate limit is a definite answer too: nothing was posted.
func TestRateLimitLeavesNoUnknownOutcome(t *testing.T) {
	store := broadcast.NewMemoryStore()
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Attempt > 1 {
			return broadcast.Receipt{}, errors.New("looked for an earlier post")
		}
		return broadcast.Receipt{}, broadcast.RetryAfter(errors.New("429"), time.Hour)
	})
	u := validUpdate()
	u.ID = "u-1"
	for range 2 {
		b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
		_, err := b.Send(context.Background(), u)
		require.Error(t, err)
		assert.ErrorContains(t, err, "429")
	}
}

// A server error that asks to wait (a 503 with Retry-After, marked
// Uncertain by the channel) is no such answer: the post may exist, and a
// later run's first attempt looks for it.
func TestUncertainWaitLeavesTheOutcomeUnknown(t *testing.T) {
	ch := &attempts{answers: []error{broadcast.RetryAfter(broadcast.Uncertain(errors.New("503 Service Unavailable")), time.Hour)}}
	sendTwice(t, ch, broadcast.RetryPolicy{MaxAttempts: 1})
	assert.Equal(t, []int{1, 2}, ch.got())
}

// markStuckStore is a MemoryStore whose writes of a target other than ""
// (the "attempted" mark among them) wait until ctx ends or the test does:
// a durable Store whose database stopped answering writes.
type markStuckStore struct {
	*broadcast.MemoryStore
	done <-chan struct{}
}

func (s markStuckStore) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if target == "" {
		return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
	}
	return stuckStore{s.done}.wait(ctx)
}

// The mark that a delivery is attempted is written with the caller's
// context: nothing was delivered yet, so nothing needs to outlive it, and
// a Send whose Store stopped answering writes ends with its ctx.
func TestAttemptedMarkEndsWithTheCallersContext(t *testing.T) {
	stop := make(chan struct{})
	ch := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "1"}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: markStuckStore{broadcast.NewMemoryStore(), stop}})
	require.NoError(t, err)
	defer b.Close()
	defer close(stop)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := make(chan error, 1)
	go func() { _, err := b.Send(ctx, validUpdate()); res <- err }()
	select {
	case <-res:
	case <-time.After(3 * time.Second):
		t.Fatal("Send did not return 3 s after its ctx ended")
	}
}

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
