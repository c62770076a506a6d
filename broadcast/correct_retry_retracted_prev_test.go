package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// retractingHooks is postingHooks that can delete its posts.
type retractingHooks struct{ *postingHooks }

func (c retractingHooks) Retract(context.Context, broadcast.Receipt) error { return nil }

// The targets that refused a correction posted in the thread, tried again
// by a Correct again after a newer update was posted, are not given as the
// post to follow the one their first targets followed when a Retract
// deleted it since: they follow the latest post still up before it (here
// the thread's first). Before, the channel was told to reply to the
// deleted post.
func TestCorrectAgainDoesNotFollowARetractedPost(t *testing.T) {
	ctx := context.Background()
	hooks := &postingHooks{targets: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, retractingHooks{hooks})
	u1, u2, u3, fixed := threadOfThree()

	for _, u := range []broadcast.Update{u1, u2} {
		_, err := b.Send(ctx, u)
		require.NoError(t, err)
	}
	hooks.refuse(map[string]bool{"b": true})
	_, err := b.Correct(ctx, "u1", fixed)
	require.Error(t, err, "b refuses the correction")
	require.Equal(t, "u2", hooks.lastThread().Last.UpdateID, "a got the correction after u2")
	hooks.refuse(nil)
	_, err = b.Send(ctx, u3)
	require.NoError(t, err)
	_, err = b.Retract(ctx, "u2")
	require.NoError(t, err)

	rep, err := b.Correct(ctx, "u1", fixed)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	th := hooks.lastThread()
	assert.Equal(t, "u1", th.Root.UpdateID)
	assert.Equal(t, "u1", th.Last.UpdateID, "u2's post is deleted: b gets the correction after u1, the latest post still up before it")
}
