package broadcast_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Send where a target failed for good, and whose receipt and mark the
// Store could not write though it wrote the mark that targets failed, is
// completed by a later Send; a Send after that is Skipped, without a call
// of the channel: the mark that targets failed, which nothing cleared,
// made it attempt the delivery again, as if targets lacked the update,
// and report it delivered anew.
func TestFailedTargetsMarkClearedWhenALaterSendCompletes(t *testing.T) {
	ctx := context.Background()
	ch := refusesBOnce()
	// The first writes of the receipt of update u1 in its incident and of
	// a mark saying an update is delivered on a channel fail.
	st := &writeFailsOnce{MemoryStore: broadcast.NewMemoryStore(),
		receipt: func(incidentID, updateID string) bool {
			return updateID == "u1" && incidentID != "" && incidentID[0] != 0
		},
		mark: func(_, _, target string, _ error) bool { return target == "" }}
	b := newBroadcaster(t, broadcast.Options{Store: st}, ch)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	require.True(t, st.saveFailed.Load() && st.markFailed.Load())

	rep, err := b.Send(ctx, u)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)

	rep, err = b.Send(ctx, u)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "%+v", rep.Results[0])
	assert.Equal(t, 2, ch.calls, "calls of the channel")
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
}

// A Send that reaches the targets an earlier Send missed for good, where
// the Store cannot write the mark saying none is missing any more, has
// delivered and recorded the delivery (receipt and marks): it was
// reported failed with ErrNotRecorded, which says a later Send may post
// again, though the mark left only makes the next Send call the channel
// once more, which reaches no target. The failure is logged instead.
func TestFailedTargetsMarkNotClearedIsLoggedNotAnError(t *testing.T) {
	ctx := context.Background()
	ch := refusesBOnce()
	// The first write clearing the mark that targets failed fails.
	st := &writeFailsOnce{MemoryStore: broadcast.NewMemoryStore(),
		mark: func(_, _, target string, failure error) bool {
			return target == "\x00targets failed" && failure == nil
		}}
	var log bytes.Buffer
	b := newBroadcaster(t, broadcast.Options{Store: st, Logger: slog.New(slog.NewTextHandler(&log, nil))}, ch)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.ErrorIs(t, err, errRefusedT)

	rep, err := b.Send(ctx, u)
	require.True(t, st.markFailed.Load())
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	assert.Contains(t, log.String(), "disk full")

	for range 2 {
		rep, err = b.Send(ctx, u)
		require.NoError(t, err)
		assert.Empty(t, rep.Results[0].Delivered)
	}
	assert.True(t, rep.Results[0].Skipped, "%+v", rep.Results[0])
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
}
