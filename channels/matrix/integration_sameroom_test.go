//go:build integration

package matrix_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/redact"
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

// lostAnswer passes the first event sent on to the homeserver, which
// makes it, and loses the answer, as a connection reset does.
type lostAnswer struct {
	lost atomic.Bool
	next http.RoundTripper
}

func (l *lostAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err == nil && req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/send/") && l.lost.CompareAndSwap(false, true) {
		_ = resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

// Config.Rooms holds a room by its ID and by an alias. The answer to the
// first target's post is lost after the homeserver made the event: the
// alias's target does not post the update there again under its own
// transaction ID; the retry gets the event made, under the first target's,
// and the room shows the update once.
func TestIntegrationLostAnswerInSharedRoomPostsOnce(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room, alias := s.bot.room(s.reader)
	ch, err := matrix.New(matrix.Config{Name: "ops-matrix", Homeserver: s.url, AccessToken: redact.NewSecret(s.botToken),
		Rooms: []string{room, alias}, HTTPClient: &http.Client{Transport: &lostAnswer{next: s.client.Transport}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	m := broadcast.NewMessage(update(unique("inc-"), 1, broadcast.StatusInvestigating, "Once only."))
	_, err = ch.Send(ctx, m)
	require.Error(t, err, "the answer was lost")
	m.Attempt = 2
	r, err := ch.Send(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, r.Meta[room], r.Meta[alias], "both targets name the one post")
	settle(func() bool {
		msgs := s.reader.messages(room)
		return len(msgs) >= 1 && msgs[0].EventID == r.Meta[room]
	})
	msgs := s.reader.messages(room)
	require.Len(t, msgs, 1, "the update once")
	assert.Equal(t, r.Meta[room], msgs[0].EventID)
}
