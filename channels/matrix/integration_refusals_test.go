//go:build integration

package matrix_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/matrix"
)

// assertForbidden checks that err fails its one room for good with the
// homeserver's 403 M_FORBIDDEN, and is not a gone post (which would have
// the correction posted anew, in a room that refuses it too).
func assertForbidden(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	assert.True(t, broadcast.IsPermanent(err), "%s: %v", what, err)
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te), "%s: %v", what, err)
	require.Len(t, te.Failures, 1, what)
	assert.False(t, errors.Is(te.Failures[0].Err, broadcast.ErrPostGone), "%s: %v", what, err)
	var e *matrix.Error
	require.True(t, errors.As(te.Failures[0].Err, &e), "%s: %v", what, err)
	assert.Equal(t, "M_FORBIDDEN", e.Code, what)
}

// A room the account was kicked from refuses the next update, a
// correction of an earlier one and its retraction: each fails for good,
// rather than be retried, and Check says the account has left.
func TestIntegrationKickedFromRoom(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, _ := s.reader.room(s.bot)
	ch := newChannel(t, s, s.botToken, room)
	inc := unique("inc-")
	r, err := ch.Send(ctx, broadcast.NewMessage(update(inc, 1, broadcast.StatusInvestigating, "Before the kick.")))
	require.NoError(t, err)
	s.reader.must("POST", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/kick",
		map[string]any{"user_id": s.botUserID, "reason": "no bots"}, nil)
	settle(func() bool { return ch.Check(ctx) != nil })
	err = ch.Check(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `has not joined the room `+room+` (its membership there is "leave")`)

	_, err = ch.Send(ctx, broadcast.NewMessage(update(inc, 2, broadcast.StatusIdentified, "After the kick.")))
	assertForbidden(t, err, "send")
	_, err = ch.Edit(ctx, broadcast.NewMessage(update(inc, 3, broadcast.StatusInvestigating, "Corrected.")), r)
	assertForbidden(t, err, "edit")
	assertForbidden(t, ch.Retract(ctx, r), "retract")
	msgs := s.reader.messages(room)
	require.Len(t, msgs, 1, "the post of before the kick, alone")
	assert.Contains(t, msgs[0].content(t).Body, "Before the kick.")
}

// A room whose moderators raised the power to post above the account's
// refuses its posts and edits with 403 M_FORBIDDEN: both fail for good.
func TestIntegrationPowerToPostRaised(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, _ := s.reader.room(s.bot)
	ch := newChannel(t, s, s.botToken, room)
	inc := unique("inc-")
	r, err := ch.Send(ctx, broadcast.NewMessage(update(inc, 1, broadcast.StatusInvestigating, "x")))
	require.NoError(t, err)
	var reader struct {
		UserID string `json:"user_id"`
	}
	s.reader.must("GET", "/_matrix/client/v3/account/whoami", nil, &reader)
	s.reader.must("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/state/m.room.power_levels/", map[string]any{
		"users": map[string]any{reader.UserID: 100}, "users_default": 0, "events_default": 50, "state_default": 50,
		"ban": 50, "kick": 50, "redact": 50, "invite": 0}, nil)
	var err2 error
	settle(func() bool {
		_, err2 = ch.Send(ctx, broadcast.NewMessage(update(inc, 2, broadcast.StatusIdentified, "y")))
		return err2 != nil
	})
	assertForbidden(t, err2, "send")
	_, err = ch.Edit(ctx, broadcast.NewMessage(update(inc, 3, broadcast.StatusInvestigating, "z")), r)
	assertForbidden(t, err, "edit")
}

// An invitation the account has not accepted is no membership: Check says
// so, and a post fails for good; the channel accepts no invitation itself.
func TestIntegrationInviteNotAccepted(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	var created struct {
		RoomID string `json:"room_id"`
	}
	s.reader.must("POST", "/_matrix/client/v3/createRoom", map[string]any{"preset": "private_chat", "invite": []string{s.botUserID}}, &created)
	ch := newChannel(t, s, s.botToken, created.RoomID)
	err := ch.Check(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `has not joined the room `+created.RoomID+` (its membership there is "invite")`)
	_, err = ch.Send(ctx, broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "x")))
	assertForbidden(t, err, "send")
}
