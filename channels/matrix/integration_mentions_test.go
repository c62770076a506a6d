//go:build integration

package matrix_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// notification is an entry of GET /notifications.
type notification struct {
	Actions []json.RawMessage `json:"actions"`
	Event   event             `json:"event"`
}

// notifications returns the events of u's notifications, by event ID:
// true for those that highlight.
func (u *user) notifications() map[string]bool {
	u.t.Helper()
	var page struct {
		Notifications []notification `json:"notifications"`
	}
	u.must("GET", "/_matrix/client/v3/notifications?limit=100", nil, &page)
	out := map[string]bool{}
	for _, n := range page.Notifications {
		high := false
		for _, a := range n.Actions {
			var tweak struct {
				SetTweak string `json:"set_tweak"`
				Value    *bool  `json:"value"`
			}
			if json.Unmarshal(a, &tweak) == nil && tweak.SetTweak == "highlight" && (tweak.Value == nil || *tweak.Value) {
				high = true
			}
		}
		out[n.Event.EventID] = high
	}
	return out
}

// "@room" in an update notifies no one, also on a homeserver that does
// not know m.mentions (Dendrite applies the legacy push rules whatever
// the event holds): the bot, the room's creator, has the power to notify
// the whole room.
func TestIntegrationAtRoomNotifiesNoOne(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, _ := s.bot.room(s.reader)
	ch := newChannel(t, s, s.botToken, room)
	u := update(unique("inc-"), 1, broadcast.StatusResolved, "")
	u.Overrides = map[string]string{"ops-matrix": "Maintenance over, thanks @room"}
	r, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)

	// A message that does notify the reader, by its user name, after the
	// update: once it shows, the update's push rules were applied too.
	var marker struct {
		EventID string `json:"event_id"`
	}
	s.bot.must("PUT", "/_matrix/client/v3/rooms/"+url.PathEscape(room)+"/send/m.room.message/"+unique("m"),
		map[string]any{"msgtype": "m.text", "body": "ping reader"}, &marker)
	settle(func() bool { _, ok := s.reader.notifications()[marker.EventID]; return ok })
	got := s.reader.notifications()
	require.True(t, got[marker.EventID], "the marker highlights")
	assert.False(t, got[r.ID], "the update highlights for no one")
	body := s.reader.event(room, r.ID).content(t).Body
	assert.False(t, strings.Contains(body, "@room"), body)
}
