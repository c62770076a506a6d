package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A correction posted in the thread that reached some targets only (one
// was down), completed by a Correct again after a newer update was
// posted, leaves the thread's latest post alone: the newer update came
// after the correction, and the incident's next update replies to it, as
// when the target had refused the correction for good.
func TestCorrectAgainAfterTransientFailureKeepsNewerUpdateAsLatest(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u1, u2, u3, fixed := threadOfThree()

	_, err := b.Send(ctx, u1)
	require.NoError(t, err)
	ch.set(nil, map[string]bool{"b": true})
	_, err = b.Correct(ctx, "u1", fixed)
	require.Error(t, err, "b is down")
	ch.set(nil, nil)
	_, err = b.Send(ctx, u2)
	require.NoError(t, err)
	rep, err := b.Correct(ctx, "u1", fixed)
	require.NoError(t, err, "b takes the correction now")
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)

	th, err := b.Thread(ctx, "inc", "hooks")
	require.NoError(t, err)
	assert.Equal(t, "u2", th.Last.UpdateID, "u2 was posted after the correction")
	_, err = b.Send(ctx, u3)
	require.NoError(t, err)
	ch.mu.Lock()
	last := ch.threads[len(ch.threads)-1]
	ch.mu.Unlock()
	assert.Equal(t, "u2", last.Last.UpdateID, "u3 replies to u2's post, not to the correction's")

	r, ok, err := store.Receipt(ctx, "c1", "hooks")
	require.NoError(t, err)
	require.True(t, ok, "the correction's receipt is kept, for a Retract or Correct of it")
	assert.Equal(t, "post-c1", r.ID)
}

// Without a newer post since, the correction completed by a Correct again
// becomes the thread's latest post, as it would have in one attempt.
func TestCorrectAgainAfterTransientFailureStaysLatest(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u1, u2, _, fixed := threadOfThree()
	_, err := b.Send(ctx, u1)
	require.NoError(t, err)
	_, err = b.Send(ctx, u2)
	require.NoError(t, err)
	ch.set(nil, map[string]bool{"b": true})
	_, err = b.Correct(ctx, "u1", fixed)
	require.Error(t, err, "b is down")
	ch.set(nil, nil)
	_, err = b.Correct(ctx, "u1", fixed)
	require.NoError(t, err)
	th, err := b.Thread(ctx, "inc", "hooks")
	require.NoError(t, err)
	assert.Equal(t, "c1", th.Last.UpdateID)
}
