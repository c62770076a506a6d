package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

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

// An earlier run whose attempts all got a definite answer (a refusal, a
// rate limit: nothing was posted, and the platform said so) leaves a
// later run's first attempt Attempt 1: X takes a duplicate refusal on
// Attempt > 1 as delivered, which would record a post that does not exist.
func TestDefiniteRefusalLeavesNoUnknownOutcome(t *testing.T) {
	store := broadcast.NewMemoryStore()
	var calls atomic.Int32
	var seen []int
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		seen = append(seen, m.Attempt)
		if calls.Add(1) == 1 {
			return broadcast.Receipt{}, broadcast.Permanent(errors.New("400 invalid request"))
		}
		return broadcast.Receipt{ID: "post"}, nil
	})
	u := validUpdate()
	u.ID = "u-1"
	first := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	_, err := first.Send(context.Background(), u)
	require.Error(t, err)
	again := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	_, err = again.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1}, seen)
}
