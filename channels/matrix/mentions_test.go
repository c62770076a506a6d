package matrix

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
	"github.com/outagecast/outagecast/templates"
)

// atRoom is what the legacy push rule .m.rule.roomnotif looks for in a
// body: Synapse case-insensitively, at word boundaries; Dendrite anywhere.
var atRoom = regexp.MustCompile(`(?i)@room`)

// "@room" in any text of an update, in any case, is broken by an
// invisible word joiner (in a URL, its "@" is written %40): a homeserver
// that does not know m.mentions (Dendrite, servers before v1.7 of the
// specification) would notify the whole room for it, the channel's
// account being the room's admin. Posts and edits alike.
func TestAtRoomNotifiesNoOne(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	u := incident(1, broadcast.StatusInvestigating, "Paging @room and @ROOM, see https://chat.example.com/@room/x.")
	u.Title = "Outage, @Room"
	u.Advice = "Ask in #ops:@room"
	u.Components = []broadcast.Component{{Name: "api@room", Status: broadcast.ComponentMajorOutage}}
	u.URL = "https://status.example.com/@room"
	r, err := ch.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	u.Overrides = map[string]string{ch.Name(): "Corrected: @room was wrong"}
	_, err = ch.Edit(ctx, broadcast.NewMessage(u), r)
	require.NoError(t, err)

	bodies := sendBodies(f)
	require.Len(t, bodies, 4, "a post and an edit in 2 rooms")
	for i, raw := range bodies {
		assert.False(t, atRoom.Match(raw), "event %d holds @room: %s", i, raw)
	}
	c := sentContent(t, u)
	visible := strings.ReplaceAll(c.Body, textsafe.WordJoiner, "")
	assert.Equal(t, "Corrected: @room was wrong", visible, "readers see the text as written")
	assert.Contains(t, string(bodies[0]), "https://status.example.com/%40room", "the URL links to the same page")
	assert.Contains(t, string(bodies[0]), "https://chat.example.com/%40room/x")
}

// An "@room" after a character that ends a link ("」"), in what URLSpans
// still takes for the URL, is text, not part of the link: it is broken by
// a word joiner as any "@room" outside a link, not written "%40room" in
// the reader's text.
func TestAtRoomAfterLinkEnd(t *testing.T) {
	for in, want := range map[string]string{
		"見る https://x.example/a」@room":                         "見る https://x.example/a」@" + textsafe.WordJoiner + "room",
		"「https://x.example/a」@room と https://y.example/@room": "「https://x.example/a」@" + textsafe.WordJoiner + "room と https://y.example/%40room",
		"see https://x.example/@room.":                         "see https://x.example/%40room.",
		"https://x.example/a…@room":                            "https://x.example/a…@" + textsafe.WordJoiner + "room",
	} {
		assert.Equal(t, want, quietRoom(in), in)
	}
}

// An "@room" in a link's authority keeps the link whole: in its user
// information the "@" is written "%40", and after the "@" that ends it the
// host's first letter is escaped, which a browser reads as the letter.
// Before, a word joiner after the "@" ended the link there
// ("https://@" linked, the rest text).
func TestAtRoomInLinkAuthority(t *testing.T) {
	for in, want := range map[string]string{
		"see https://@room:x@host.example/a now": "see https://%40room:x@host.example/a now",
		"see https://a:@Room@h.example/ now":     "see https://a:%40Room@h.example/ now",
		"see https://ops@room.example/a now":     "see https://ops@%72oom.example/a now",
		"see https://ops@ROOM.example/@room":     "see https://ops@%52OOM.example/%40room",
	} {
		got := quietRoom(in)
		assert.Equal(t, want, got, in)
		assert.False(t, atRoom.MatchString(got), in)
		url := strings.Fields(want)[1]
		var links []string
		for _, sp := range templates.LinkSpans(got) {
			links = append(links, got[sp[0]:sp[1]])
		}
		assert.Equal(t, []string{url}, links, "the link is whole: %s", in)
	}
}
