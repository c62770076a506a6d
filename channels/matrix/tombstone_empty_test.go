package matrix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A room's m.room.tombstone overwritten with empty content ({}, as
// Matrix clears a state event) leaves the room open: Check does not call
// it closed, and a retraction refused there names no upgrade.
func TestClearedTombstoneIsNoTombstone(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	room := confRooms[confTargets[0]]
	f.mu.Lock()
	f.tombstone = map[string]string{room: `{}`}
	f.mu.Unlock()
	ctx := context.Background()
	require.NoError(t, ch.Check(ctx))
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "x")))
	require.NoError(t, err)
	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "y")), r)
	require.NoError(t, err)
	f.mu.Lock()
	f.refuseRedact = map[string]bool{room: true}
	f.powerLevels[room] = `{"users_default":0,"events_default":50}`
	f.mu.Unlock()
	err = ch.Retract(ctx, r)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "upgraded")
}
