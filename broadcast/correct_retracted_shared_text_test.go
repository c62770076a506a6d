package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Correct refused because a Retract deleted the post of the update it
// corrects says whose Retract it was: where the update itself was
// retracted, that it was; where a Retract of an in-place correction of it,
// which shares its post, deleted the post, that the post was deleted by a
// Retract of an update sharing it, not that the update corrected was
// retracted (it was not).
func TestCorrectRefusedAfterSharedPostRetractedNamesWhoseRetract(t *testing.T) {
	ctx := context.Background()
	slack := &editable{script: script{name: "slack"}}
	b := newBroadcaster(t, broadcast.Options{}, slack)
	u := validUpdate()
	u.ID = "a"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	fix := validUpdate()
	fix.ID, fix.Body = "c", "The EU region is down."
	_, err = b.Correct(ctx, "a", fix)
	require.NoError(t, err)
	require.Len(t, slack.edits, 1, "c corrects a in place: they share the post")
	_, err = b.Retract(ctx, "c")
	require.NoError(t, err)

	fix.ID = "d"
	_, err = b.Correct(ctx, "a", fix)
	require.ErrorIs(t, err, broadcast.ErrRetracted)
	assert.NotContains(t, err.Error(), "update a, which this corrects, was retracted", "a was not retracted")
	assert.Contains(t, err.Error(), "the post of update a, which this corrects, was deleted on this channel by a Retract of an update sharing it")

	fix.ID = "e"
	_, err = b.Correct(ctx, "c", fix)
	require.ErrorIs(t, err, broadcast.ErrRetracted)
	assert.Contains(t, err.Error(), "update c, which this corrects, was retracted on this channel")
}
