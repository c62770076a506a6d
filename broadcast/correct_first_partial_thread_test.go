package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction that was the incident's first post on a channel (its
// original never reached it) and reached some targets only, completed by
// a Correct again after a newer update started the thread, is given the
// thread its first targets got it in: none. Before, the channel was given
// the newer update as Root with no Last, a thread no post ever had, and a
// channel that threads under Root posted the correction as a reply to the
// newer update, which came after it.
func TestCorrectAgainOfAFirstPostReachedInPartGetsNoThread(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch, &script{name: "other"})
	u1, u2, u3, fixed := threadOfThree()

	ch.set(nil, map[string]bool{"a": true, "b": true})
	_, err := b.Send(ctx, u1)
	require.Error(t, err, "hooks is down; other has u1")
	ch.set(nil, map[string]bool{"b": true})
	_, err = b.Correct(ctx, "u1", fixed)
	require.Error(t, err, "b is down")
	ch.set(nil, nil)
	_, err = b.Send(ctx, u2)
	require.NoError(t, err)
	threads := func() []broadcast.Thread {
		ch.mu.Lock()
		defer ch.mu.Unlock()
		return append([]broadcast.Thread(nil), ch.threads...)
	}
	require.Len(t, threads(), 3)
	assert.True(t, threads()[1].IsZero(), "the correction was the first post on a")

	rep, err := b.Correct(ctx, "u1", fixed)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	require.Len(t, threads(), 4)
	assert.Equal(t, broadcast.Thread{}, threads()[3], "b gets the correction as a gets it: the first post")

	_, err = b.Send(ctx, u3)
	require.NoError(t, err)
	last := threads()[4]
	assert.Equal(t, "u2", last.Root.UpdateID)
	assert.Equal(t, "u2", last.Last.UpdateID, "u3 follows u2, not the correction")
}
