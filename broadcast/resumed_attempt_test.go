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
// with and fails the first call as a timeout would: its post may have gone
// out, but no answer came.
type attempts struct {
	mu   sync.Mutex
	seen []int
}

func (a *attempts) Name() string { return "x" }

func (a *attempts) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen = append(a.seen, m.Attempt)
	if len(a.seen) == 1 {
		return broadcast.Receipt{}, errors.New("read: i/o timeout")
	}
	return broadcast.Receipt{ID: "post"}, nil
}

func (a *attempts) got() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int(nil), a.seen...)
}

// A run whose attempt reached the channel without its outcome recorded
// (a timeout, retries used up; or a process that ended) leaves a Send of
// the same update in a later run, or another Broadcaster sharing the
// Store, an Attempt above 1: the channel looks for the post the earlier
// attempt may have made before posting again, as on any retry.
func TestLaterRunKnowsAnEarlierAttempt(t *testing.T) {
	store := broadcast.NewMemoryStore()
	ch := &attempts{}
	u := validUpdate()
	u.ID = "u-1"
	once := broadcast.RetryPolicy{MaxAttempts: 1}
	first := newBroadcaster(t, broadcast.Options{Store: store, Retry: once}, ch)
	_, err := first.Send(context.Background(), u)
	require.Error(t, err)

	again := newBroadcaster(t, broadcast.Options{Store: store, Retry: once}, ch)
	_, err = again.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, ch.got())
}

// So does a job run again from its first attempt, as a queue does with one
// whose worker died during it (dispatch's rescued job keeps its number).
func TestRunJobKnowsAnEarlierAttempt(t *testing.T) {
	ch := &attempts{}
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
	ch := &attempts{}
	ch.seen = []int{0} // no timeout: every call succeeds
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	for _, id := range []string{"u-1", "u-2"} {
		u := validUpdate()
		u.ID, u.IncidentID = id, "inc"
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	assert.Equal(t, []int{0, 1, 1}, ch.got())
}

// An attempt whose outcome is unknown stays so: a later attempt's definite
// refusal says nothing of it, and a later run still looks for its post.
func TestUnknownOutcomeOutlivesALaterRefusal(t *testing.T) {
	store := broadcast.NewMemoryStore()
	var mu sync.Mutex
	var seen []int
	answers := []error{errors.New("read: i/o timeout"), broadcast.Permanent(errors.New("401 Unauthorized")), nil}
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		defer mu.Unlock()
		err := answers[len(seen)]
		seen = append(seen, m.Attempt)
		return broadcast.Receipt{ID: "post"}, err
	})
	u := validUpdate()
	u.ID = "u-1"
	first := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	_, err := first.Send(context.Background(), u)
	require.Error(t, err)
	again := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	_, err = again.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 2}, seen)
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
