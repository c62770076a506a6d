package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Send of an update whose target was refused for good, where the Store
// could not record that a target failed (ErrNotRecorded), tries that
// target again on a later Send: it was Skipped, the channel marked
// delivered as if every target had the update, and the refused target
// never got it. The targets delivered are not posted to again.
func TestLostFailedTargetsMarkStillRetriesThem(t *testing.T) {
	ctx := context.Background()
	ch := refusesBOnce()
	// The first write of the mark that says some of a channel's targets
	// failed for good fails.
	st := &writeFailsOnce{MemoryStore: broadcast.NewMemoryStore(),
		mark: func(_, _, target string, _ error) bool { return target == "\x00targets failed" }}
	b := newBroadcaster(t, broadcast.Options{Store: st}, ch)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	require.ErrorIs(t, err, errRefusedT)

	rep, err := b.Send(ctx, u)
	require.NoError(t, err)
	res := rep.Results[0]
	assert.False(t, res.Skipped)
	assert.Equal(t, []string{"b"}, res.Delivered)
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())

	rep, err = b.Send(ctx, u)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped)
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
}
