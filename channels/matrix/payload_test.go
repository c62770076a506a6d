package matrix

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/golden"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
)

// incident returns an update of one incident, told apart by n.
func incident(n int, status broadcast.Status, body string) broadcast.Update {
	return broadcast.Update{
		ID: "u" + string(rune('0'+n)), IncidentID: "cdn-errors", Title: "Elevated error rates on the CDN",
		Status: status, Impact: broadcast.ImpactMajor, Body: body,
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC).Add(time.Duration(n) * 10 * time.Minute),
	}
}

// The payloads of an incident's life: its first post, a reply in its
// thread, an edit, each as the homeserver receives it.
func TestPayloadGolden(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	ch := newTestChannel(t, confConfig(f.srv.URL))
	ctx := context.Background()
	var th broadcast.Thread
	var receipts []broadcast.Receipt
	for i, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusMonitoring} {
		m := broadcast.NewMessage(incident(i+1, status, "We are investigating errors for requests served from Europe.\n\nMore soon."))
		m.Thread = th
		r, err := ch.Send(ctx, m)
		require.NoError(t, err)
		receipts = append(receipts, r)
		if i == 0 {
			th.Root = r
		}
		th.Last = r
	}
	fix := broadcast.NewMessage(incident(4, broadcast.StatusIdentified, "Correction: the errors came from a certificate rotation."))
	_, err := ch.Edit(ctx, fix, receipts[1])
	require.NoError(t, err)

	sends := sendBodies(f)
	require.Len(t, sends, 8, "3 posts and an edit, in 2 rooms each")
	golden.JSON(t, "post.json", sends[0])
	golden.JSON(t, "reply.json", sends[5])
	golden.JSON(t, "edit.json", sends[6])
}

// sendBodies returns the bodies of the send requests f received.
func sendBodies(f *fakeServer) [][]byte {
	var out [][]byte
	for _, r := range f.requestLog() {
		if strings.Contains(r.path, "/send/") {
			out = append(out, r.body)
		}
	}
	return out
}

// tags are the HTML tags formatted_body may hold: the channel's own.
var tags = regexp.MustCompile(`</?p>|<br>|</?strong>|<a href="[^"<>]*">|</a>`)

// User text is escaped: a hostile title or body cannot add markup, links,
// mention pills or notifications.
func TestHostileTextIsEscaped(t *testing.T) {
	for _, hostile := range []string{
		`<a href="https://evil.example/">click</a> @room`,
		`<mx-reply><blockquote>fake quote</blockquote></mx-reply>`,
		`**bold** [link](https://evil.example/) <b>b</b> &lt;already&gt; "quoted" 'single'`,
		`<a href="https://matrix.to/#/@admin:example.org">@admin:example.org</a>`,
		`<img src="mxc://evil.example/x" onerror="x">`,
	} {
		t.Run(hostile, func(t *testing.T) {
			u := broadcast.Update{Title: hostile, Status: broadcast.StatusInvestigating, Body: "Body: " + hostile,
				URL: "https://status.example.com/incidents/42?a=1&b=2"}
			c := sentContent(t, u)
			assert.Contains(t, strings.ReplaceAll(c.Body, textsafe.WordJoiner, ""), hostile,
				"body is the plain text, as is (but for the invisible mark that breaks @room)")
			rest := tags.ReplaceAllString(c.FormattedBody, "")
			assert.NotContains(t, rest, "<", "formatted_body holds no markup but the channel's: %s", c.FormattedBody)
			assert.NotContains(t, rest, ">")
			links := regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`).FindAllStringSubmatch(c.FormattedBody, -1)
			assert.NotEmpty(t, links, "the update's URL is a link")
			for _, l := range links {
				assert.Equal(t, l[1], l[2], "a link shows where it goes")
				assert.Regexp(t, `^https?://`, l[1], "links are http(s) URLs of the text")
			}
			require.NotNil(t, c.Mentions, "m.mentions, present and empty, turns off @room and name notifications")
		})
	}
}

// sentContent sends u through a channel to a fake homeserver and returns
// the content of the first post.
func sentContent(t *testing.T, u broadcast.Update) content {
	t.Helper()
	f := newFakeServer(t, confToken, confRooms)
	ch := newTestChannel(t, confConfig(f.srv.URL))
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	bodies := sendBodies(f)
	require.NotEmpty(t, bodies)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(bodies[0], &raw))
	assert.JSONEq(t, `{}`, string(raw["m.mentions"]), "m.mentions is sent, empty")
	var c content
	require.NoError(t, json.Unmarshal(bodies[0], &c))
	return c
}

func TestToHTML(t *testing.T) {
	for _, tt := range []struct{ text, html string }{
		{"Investigating: CDN", "<p><strong>Investigating: CDN</strong></p>"},
		{"A\nImpact: Major\n\nBody <x> & \"y\"\n\n\nDetails: https://s.example/i/1.",
			`<p><strong>A</strong><br>Impact: Major</p><p>Body &lt;x&gt; &amp; &#34;y&#34;</p>` +
				`<p>Details: <a href="https://s.example/i/1">https://s.example/i/1</a>.</p>`},
		{"see (https://a.example/x?q=1&r=2), then", `<p><strong>see (<a href="https://a.example/x?q=1&amp;r=2">` +
			`https://a.example/x?q=1&amp;r=2</a>), then</strong></p>`},
		{"javascript:alert(1) http:// ftp://x.example", `<p><strong>javascript:alert(1) http:// ftp://x.example</strong></p>`},
		{"See https://en.wikipedia.org/wiki/Mars_(planet).", `<p><strong>See <a href="https://en.wikipedia.org/wiki/Mars_(planet)">` +
			`https://en.wikipedia.org/wiki/Mars_(planet)</a>.</strong></p>`},
		{"", ""},
	} {
		assert.Equal(t, tt.html, toHTML(tt.text, ""), "toHTML(%q)", tt.text)
	}
}

// The indentation that begins a body's lines shows in formatted_body, written
// as no-break spaces (a tab to the next multiple of four), since HTML
// collapses spaces.
func TestHTMLKeepsIndentation(t *testing.T) {
	const nb = "\u00a0"
	assert.Equal(t, "<p><strong>Steps:</strong><br>"+strings.Repeat(nb, 2)+"1. drain eu-1<br>"+strings.Repeat(nb, 4)+
		"then <a href=\"https://s.example/x\">https://s.example/x</a><br>"+strings.Repeat(nb, 4)+"x  y</p>",
		toHTML("Steps:\n  1. drain eu-1\n\tthen https://s.example/x\n  \tx  y", ""))

	u := incident(1, broadcast.StatusInvestigating, "Run:\n    curl -v https://api.example.com/health\n  and retry.")
	c := sentContent(t, u)
	assert.Contains(t, c.Body, "\n    curl -v", "body is the plain text, as is")
	assert.Contains(t, c.FormattedBody, "<br>"+strings.Repeat(nb, 4)+"curl -v ")
	assert.Contains(t, c.FormattedBody, "<br>"+strings.Repeat(nb, 2)+"and retry.")
}

// The reserve ContentLimit leaves holds the largest envelope the
// specification allows a message event in a room of version 3 or later
// (event IDs of 44 bytes): a room ID, sender and server name of 255 bytes,
// 20 prev_events and the 3 auth events of a message.
func TestEnvelopeReserve(t *testing.T) {
	long := func(sigil string) string { return sigil + strings.Repeat("x", 254) }
	id := "$" + strings.Repeat("A", 43)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id
		}
		return out
	}
	pdu := map[string]any{
		"auth_events": ids(3), "prev_events": ids(20), "content": map[string]any{}, "depth": int64(1) << 62,
		"hashes": map[string]string{"sha256": strings.Repeat("h", 43)}, "origin_server_ts": int64(9999999999999),
		"room_id": long("!"), "sender": long("@"), "type": "m.room.message", "redacts": "",
		"signatures": map[string]any{strings.Repeat("s", 255): map[string]string{"ed25519:" + strings.Repeat("k", 64): strings.Repeat("g", 86)}},
		"unsigned":   map[string]any{"age_ts": int64(9999999999999)},
	}
	b, err := json.Marshal(pdu)
	require.NoError(t, err)
	envelope := len(b) - len(`{}`)
	t.Logf("largest envelope: %d bytes; reserve: %d", envelope, MaxEventBytes-ContentLimit)
	assert.LessOrEqual(t, envelope, MaxEventBytes-ContentLimit)
}

// Every update, however long and whatever its characters, makes an event
// whose content fits ContentLimit and which the homeserver takes (the fake
// refuses one over 65,536 bytes, as homeservers do), as a post and as an
// edit; a text that must be shortened leaves little of the room unused.
func TestEventFitsTheLimit(t *testing.T) {
	for name, unit := range map[string]string{
		"ascii":   "Requests to the CDN fail intermittently; we are on it. ",
		"markup":  `<a href="x">&amp;</a> "q" `,
		"emoji":   "👩🏽‍💻🇯🇵 ",
		"cjk":     "東京リージョンで遅延。",
		"escaped": "\u2028\u2029\\\"\t",
	} {
		t.Run(name, func(t *testing.T) {
			body := strings.Repeat(unit, broadcast.MaxBodyLength/len([]rune(unit)))
			f := newFakeServer(t, confToken, confRooms)
			ch := newTestChannel(t, confConfig(f.srv.URL))
			u := incident(1, broadcast.StatusInvestigating, body)
			r, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err, "the post")
			fix := incident(2, broadcast.StatusIdentified, "Correction: "+body)
			_, err = ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
			require.NoError(t, err, "the edit")
			for i, b := range sendBodies(f) {
				assert.LessOrEqual(t, len(b), ContentLimit, "content %d", i)
				var c content
				require.NoError(t, json.Unmarshal(b, &c))
				if !strings.Contains(c.Body, strings.TrimSpace(body)) {
					assert.Greater(t, len(b), ContentLimit-1000, "content %d: shortened no more than needed", i)
				}
			}
			assert.Contains(t, f.Received()[0].Text, u.URL, "the URL, whole")
		})
	}
}

// A link in formatted_body ends where the URL does in its sentence, also
// when the sentence goes on without a space: at a CJK bracket, a
// guillemet or an ideographic full stop.
func TestFormattedLinkEndsWithTheURL(t *testing.T) {
	got := toHTML("T\n\n詳細はhttps://s.example/i/1」をご覧ください。«https://s.example/a» (see https://s.example/b)。", "")
	assert.Equal(t, `<p><strong>T</strong></p><p>詳細は<a href="https://s.example/i/1">https://s.example/i/1</a>」をご覧ください。`+
		`«<a href="https://s.example/a">https://s.example/a</a>» (see <a href="https://s.example/b">https://s.example/b</a>)。</p>`, got)
}
