package broadcast_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An attempt whose channel left out every target it had not reached,
// because a newer update of the incident reached them first, ends the
// delivery Superseded: its EventSuperseded is about that attempt, which
// was made (EventAttempt, Result.Attempts), and says so. Before, its
// Attempt was 0, which Event documents as no attempt made.
func TestSupersededAfterAnAttemptEventNamesIt(t *testing.T) {
	ctx := context.Background()
	ch := newFanChannel()
	var mu sync.Mutex
	var events []broadcast.Event
	store := broadcast.NewMemoryStore()
	opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
	b := newBroadcaster(t, opts, ch)
	u1 := olderLeftBehind(t, ctx, b, ch)

	opts.OnEvent = func(e broadcast.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	rep, err := newBroadcaster(t, opts, ch).Send(ctx, u1)
	require.NoError(t, err)
	res := rep.Results[0]
	require.True(t, res.Superseded)
	require.Equal(t, 1, res.Attempts)
	mu.Lock()
	defer mu.Unlock()
	var kinds []broadcast.EventKind
	var attempts []int
	for _, e := range events {
		kinds = append(kinds, e.Kind)
		attempts = append(attempts, e.Attempt)
	}
	assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventSuperseded}, kinds)
	assert.Equal(t, []int{1, 1}, attempts)
}
