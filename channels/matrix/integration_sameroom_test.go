//go:build integration

package matrix_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Config.Rooms holds a room and the room that replaced it by an upgrade
// (the new room added, the old one kept): each update is posted once in
// the new room, a correction edits it once, not once per target.
func TestIntegrationUpgradedAndItsReplacementPostOnce(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	old, _ := s.bot.room(s.reader)
	var upgraded struct {
		RoomID string `json:"replacement_room"`
	}
	s.bot.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(old)+"/upgrade", map[string]any{"new_version": "10"}, &upgraded)
	require.NotEmpty(t, upgraded.RoomID)
	s.reader.must("POST", "/_matrix/client/v3/join/"+url.PathEscape(upgraded.RoomID), map[string]any{}, nil)
	b := newBroadcaster(t, s, old, upgraded.RoomID)

	inc := unique("inc-")
	rep, err := b.Send(ctx, update(inc, 1, broadcast.StatusInvestigating, "Once only."))
	require.NoError(t, err)
	r := rep.Results[0].Receipt
	assert.Equal(t, r.Meta[old], r.Meta[upgraded.RoomID], "both targets name the one post")
	_, err = b.Correct(ctx, r.UpdateID, update(inc, 2, broadcast.StatusIdentified, "Corrected once."))
	require.NoError(t, err)
	settle(func() bool { return len(s.reader.messages(upgraded.RoomID)) >= 2 })
	assert.Equal(t, 2, len(s.reader.messages(upgraded.RoomID)), "a post and its edit")
	assert.Equal(t, 1, len(s.reader.relations(upgraded.RoomID, r.Meta[old], "m.replace")), "one edit")
}
