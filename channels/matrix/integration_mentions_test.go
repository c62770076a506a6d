//go:build integration

package matrix_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
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
	RoomID  string            `json:"room_id"`
}

// maxNotificationPages bounds the pages notifications reads in one pass,
// so that a server whose next_token never ends cannot hold the test.
const maxNotificationPages = 10_000

// notifications returns the events of u's notifications in room, by event
// ID: true for those that highlight. It reads every page, following
// next_token until a page comes without one (client-server API, GET
// /_matrix/client/v3/notifications): the list holds u's notifications in
// every room, of every earlier run on a homeserver that is reused, and
// Dendrite v0.13.8 lists them oldest first, so this run's come last. Its
// next_token is one past the ID of the page's last notification, and the
// next page starts after that ID: the notification right after a page is
// left out. So the list is read twice, 1,000 and 999 a page (Dendrite's
// most is 1,000), and the two joined: a notification the first pass leaves
// out at a page's end, the second reads inside a page, but for one in a
// million.
func (u *user) notifications(room string) map[string]bool {
	u.t.Helper()
	out := map[string]bool{}
	for _, limit := range []int{1000, 999} {
		from := ""
		for page := 0; ; page++ {
			require.Less(u.t, page, maxNotificationPages, "GET /notifications: next_token never ends")
			var p struct {
				NextToken     string         `json:"next_token"`
				Notifications []notification `json:"notifications"`
			}
			q := url.Values{"limit": {strconv.Itoa(limit)}}
			if from != "" {
				q.Set("from", from)
			}
			u.must("GET", "/_matrix/client/v3/notifications?"+q.Encode(), nil, &p)
			for _, n := range p.Notifications {
				if n.RoomID == room {
					out[n.Event.EventID] = highlights(n.Actions)
				}
			}
			if p.NextToken == "" || len(p.Notifications) == 0 {
				break
			}
			from = p.NextToken
		}
	}
	return out
}

// highlights reports whether a notification's actions set the highlight
// tweak: its value is true when absent (client-server API, Push Rules:
// Actions).
func highlights(actions []json.RawMessage) bool {
	for _, a := range actions {
		var tweak struct {
			SetTweak string `json:"set_tweak"`
			Value    *bool  `json:"value"`
		}
		if json.Unmarshal(a, &tweak) == nil && tweak.SetTweak == "highlight" && (tweak.Value == nil || *tweak.Value) {
			return true
		}
	}
	return false
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
	settle(func() bool { _, ok := s.reader.notifications(room)[marker.EventID]; return ok })
	got := s.reader.notifications(room)
	require.True(t, got[marker.EventID], "the marker highlights")
	// The update notifies the reader as any message does (the default
	// .m.rule.message), so it is listed: its absence would tell nothing.
	high, listed := got[r.ID]
	require.True(t, listed, "the update is among the reader's notifications")
	assert.False(t, high, "the update highlights for no one")
	body := s.reader.event(room, r.ID).content(t).Body
	assert.False(t, strings.Contains(body, "@room"), body)
}
