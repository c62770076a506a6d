package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

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
