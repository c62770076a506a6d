//go:build integration

package matrix_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// A post made before a restart is corrected in place, and then retracted,
// by a new Broadcaster and Channel over the same bolt file, in two rooms
// (one named by alias), each read back by the reader. The correction is an
// edit of the original event, as the client-server API's event
// replacements define it
// (https://spec.matrix.org/latest/client-server-api/#event-replacements):
// an m.room.message from the same sender whose m.relates_to has rel_type
// m.replace and the original's event_id, whose m.new_content holds the
// new text and whose body is a fallback ("* …"), and no post of its own
// in the room. A second restart comes before the retraction, so that the
// channel that retracts knows the edit only from the homeserver: the
// original and its edit are both redacted.
func TestIntegrationEditAndRetractAfterRestart(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	room1, _ := s.bot.room(s.reader)
	room2, alias2 := s.bot.room(s.reader)
	rooms := map[string]string{room1: room1, alias2: room2} // by target
	path := t.TempDir() + "/outagecast.db"

	// start opens the store and a Broadcaster of a new channel over it,
	// as a program starting; stop closes both, the channel with its
	// Broadcaster, as the program ending.
	var (
		store *boltstore.Store
		b     *broadcast.Broadcaster
	)
	start := func() {
		t.Helper()
		st, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		bb, err := broadcast.New([]broadcast.Channel{newChannel(t, s, s.botToken, room1, alias2)}, broadcast.Options{Store: st})
		require.NoError(t, err)
		t.Cleanup(func() { _ = bb.Close() })
		store, b = st, bb
	}
	stop := func() {
		t.Helper()
		require.NoError(t, b.Close())
		require.NoError(t, store.Close())
	}

	inc := unique("inc-")
	start()
	rep, err := b.Send(ctx, update(inc, 1, broadcast.StatusInvestigating, "A config push."))
	require.NoError(t, err)
	orig := rep.Results[0].Receipt
	for target := range rooms {
		require.NotEmpty(t, orig.Meta[target], "the receipt names the post in %s", target)
	}
	stop()

	start()
	fix := update(inc, 2, broadcast.StatusIdentified, "A certificate rotation, not a config push.")
	rep, err = b.Correct(ctx, orig.UpdateID, fix)
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)
	assert.True(t, rep.Results[0].Edited, "the original was edited, not posted anew")
	edits := map[string]string{} // the edit's event ID, by target
	for target, room := range rooms {
		assert.Equal(t, orig.Meta[target], rep.Results[0].Receipt.Meta[target],
			"the correction's receipt names the original's event in %s", target)
		settle(func() bool { return len(s.reader.relations(room, orig.Meta[target], "m.replace")) >= 1 })
		replaced := s.reader.relations(room, orig.Meta[target], "m.replace")
		require.Len(t, replaced, 1, "the correction edits the post in %s", target)
		e := replaced[0]
		edits[target] = e.EventID
		assert.Equal(t, "m.room.message", e.Type)
		assert.Equal(t, s.botUserID, e.Sender, "an edit is the original sender's")
		c := e.content(t)
		require.NotNil(t, c.RelatesTo)
		assert.Equal(t, "m.replace", c.RelatesTo.RelType)
		assert.Equal(t, orig.Meta[target], c.RelatesTo.EventID, "the edit replaces the post made before the restart")
		require.NotNil(t, c.NewContent, "m.new_content holds the replacement")
		assert.Equal(t, "m.text", c.NewContent.MsgType)
		assert.Contains(t, c.NewContent.Body, fix.Body)
		assert.Contains(t, c.NewContent.FormattedBody, fix.Body)
		assert.True(t, strings.HasPrefix(c.Body, "* "), "the fallback for clients without edits: %s", c.Body)
		assert.Contains(t, c.Body, fix.Body)

		msgs := s.reader.messages(room)
		require.Len(t, msgs, 2, "the post and its edit in %s, nothing posted anew", target)
		assert.Equal(t, e.EventID, msgs[0].EventID)
		assert.Equal(t, orig.Meta[target], msgs[1].EventID)
		assert.Contains(t, s.reader.event(room, orig.Meta[target]).content(t).Body, "A config push.",
			"the server keeps the original; clients apply the edit")
	}
	stop()

	start()
	rep, err = b.Retract(ctx, orig.UpdateID)
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)
	for target, room := range rooms {
		for _, id := range []string{orig.Meta[target], edits[target]} {
			settle(func() bool { return strings.Contains(string(s.reader.event(room, id).Unsigned), "redacted_because") })
			e := s.reader.event(room, id)
			assert.Contains(t, string(e.Unsigned), "redacted_because", "%s in %s", id, target)
			assert.JSONEq(t, `{}`, string(e.Content), "the text of %s in %s is gone", id, target)
		}
		for _, e := range s.reader.messages(room) {
			assert.NotContains(t, string(e.Content), "config push", "no text of the update is left in %s", target)
			assert.NotContains(t, string(e.Content), "certificate", "no text of the correction is left in %s", target)
		}
	}
}
