package matrix

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// addForeignEdit adds to the fake an m.replace of event by another user:
// no valid edit (an edit must come from the original's sender), which the
// account could not redact without power in the room.
func addForeignEdit(t *testing.T, f *fakeServer, room, event string) *fakeEvent {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, err := json.Marshal(edit(msgText, "forged", "", event))
	require.NoError(t, err)
	var c content
	require.NoError(t, json.Unmarshal(raw, &c))
	e := &fakeEvent{room: room, kind: "edit", content: c, raw: raw, sender: "@mallory:example.org"}
	f.add(e)
	return e
}

// A retraction redacts the edits of each post (the corrections edited in
// place) as well as the post: the specification leaves them unredacted
// when their original is ("the subsequent edits are not actually redacted
// themselves", client-server API, Redactions of edited events), so their
// text stays in the room's history, in clients that show edit history and
// in those without edits, which show them as "* " messages. They are
// listed through /relations, page by page; only the account's own are
// redacted.
func TestRetractRedactsEdits(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.relMax = 2
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	for i := range 3 {
		_, err := ch.Edit(ctx, broadcast.NewMessage(incident(2+i, broadcast.StatusIdentified, fmt.Sprintf("fix %d", i))), r)
		require.NoError(t, err)
	}
	room1 := confRooms[confTargets[0]]
	forged := addForeignEdit(t, f, room1, r.Meta[confTargets[0]])

	require.NoError(t, ch.Retract(ctx, r))
	f.mu.Lock()
	defer f.mu.Unlock()
	edits := 0
	for _, e := range f.events {
		switch {
		case e == forged:
			assert.False(t, e.redacted, "not the account's: left alone")
		case e.kind == "edit":
			edits++
			assert.True(t, e.redacted, "the edit %s in %s", e.id, e.room)
		case e.kind == "post":
			assert.True(t, e.redacted, "the post %s in %s", e.id, e.room)
		}
	}
	assert.Equal(t, 6, edits, "three edits in each room")
	var lists int
	for _, req := range f.requests {
		if strings.Contains(req.path, "/relations/") {
			lists++
			assert.Contains(t, req.path, "/m.replace")
		}
	}
	assert.Equal(t, 4, lists, "4 edits in the first room, 3 in the second, 2 a page")
}

// A retraction retried after it redacted the edits (and the post) does
// not redact them anew: they come back from /relations redacted.
func TestRetractAgainSkipsRedactedEdits(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r := postedAndEdited(t, ch, "fix")
	require.NoError(t, ch.Retract(ctx, r))
	before := len(f.requestLog())
	require.NoError(t, ch.Retract(ctx, r))
	var redactions int
	for _, req := range f.requestLog()[before:] {
		if strings.Contains(req.path, "/redact/") {
			redactions++
		}
	}
	assert.Equal(t, 2, redactions, "the two posts again (the same transaction IDs), not their edits")
}

// A homeserver without /relations (older than v1.3 of the specification)
// still gets the post redacted, which hides its edits from the timeline.
func TestRetractWithoutRelations(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	f.noRel = true
	ctx := context.Background()
	r := postedAndEdited(t, ch, "fix")
	require.NoError(t, ch.Retract(ctx, r))
	for _, target := range confTargets {
		assert.Empty(t, f.timeline()[target])
	}
}

// A transient failure to list the edits fails the room for now: a retry
// redacts them, rather than leaving them behind a redacted post.
func TestRetractEditsListFailsForNow(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "original")))
	require.NoError(t, err)
	f.FailTarget(confTargets[1], channeltest.FailTransient)
	err = ch.Retract(ctx, r)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "list the edits of "+r.Meta[confTargets[1]])
	assert.Len(t, f.timeline()[confTargets[1]], 1, "not redacted yet")
}

// The edits of the longest update are near the event size limit each, so
// a page of them must stay within the answer the channel reads (responseLimit):
// a retraction of a post corrected many times lists them in small pages.
func TestRetractManyLongEdits(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	long := strings.Repeat("All traffic is served again from the primary region. ", broadcast.MaxBodyLength/50)
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, long)))
	require.NoError(t, err)
	for i := range 6 {
		_, err := ch.Edit(ctx, broadcast.NewMessage(incident(2+i, broadcast.StatusIdentified, fmt.Sprintf("fix %d. %s", i, long))), r)
		require.NoError(t, err)
	}
	require.NoError(t, ch.Retract(ctx, r))
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.events {
		if e.kind != "redaction" {
			assert.True(t, e.redacted, "%s %s", e.kind, e.id)
		}
	}
}
