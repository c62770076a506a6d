package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Retract of an update deletes its post only: on a channel that can delete
// but not edit, the post of its correction ("Correction: …", an update of
// its own) stays until the correction is retracted by its own ID, which
// Correct's Report gives; after its original's retraction that is still
// allowed, and deletes it.
func TestRetractLeavesTheCorrectionsPostsToTheirOwnRetract(t *testing.T) {
	chat := &deleter{script: script{name: "chat"}}
	b := newBroadcaster(t, broadcast.Options{}, chat)
	ctx := context.Background()
	rep, err := b.Send(ctx, validUpdate())
	require.NoError(t, err)
	original := rep.UpdateID
	fix := validUpdate()
	fix.Body = "The US region is down."
	rep, err = b.Correct(ctx, original, fix)
	require.NoError(t, err)
	correction := rep.UpdateID
	require.Equal(t, "chat-2", rep.Results[0].Receipt.ID, "the correction is a post of its own")

	_, err = b.Retract(ctx, original)
	require.NoError(t, err)
	require.Len(t, chat.retracts, 1)
	assert.Equal(t, "chat-1", chat.retracts[0].ID, "the original's post only")

	rep, err = b.Retract(ctx, correction)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	require.Len(t, chat.retracts, 2)
	assert.Equal(t, "chat-2", chat.retracts[1].ID, "the correction's post, by its own Retract")
}
