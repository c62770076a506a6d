package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// attemptReads is a Store that counts, by channel, its reads of the mark
// of an update's attempts (the Store's target "\x00attempted").
type attemptReads struct {
	broadcast.Store
	mu sync.Mutex
	n  map[string]int
}

func (s *attemptReads) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	if target == "\x00attempted" {
		s.mu.Lock()
		s.n[channel]++
		s.mu.Unlock()
	}
	return s.Store.Done(ctx, updateID, channel, target)
}

// The first Send of an update to ten channels read each channel's mark
// of its attempts twice: once, one channel after another, before any
// attempt, only to find the records of an earlier version (which keep the
// update from its sent mark), and once in the channel's delivery before
// it calls the channel. On a Store across a network that was ten round
// trips more per first Send. The delivery's read alone now tells both.
func TestFirstSendReadsAttemptMarkOncePerChannel(t *testing.T) {
	chs := make([]broadcast.Channel, 10)
	for i := range chs {
		chs[i] = broadcast.ChannelFunc(fmt.Sprintf("ch%d", i), noop)
	}
	store := &attemptReads{Store: broadcast.NewMemoryStore(), n: map[string]int{}}
	b := newBroadcaster(t, broadcast.Options{Store: store}, chs...)
	u := validUpdate()
	u.ID = "a"
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	for _, ch := range chs {
		assert.Equal(t, 1, store.n[ch.Name()], ch.Name())
	}
}
