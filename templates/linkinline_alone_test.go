package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// TestShortenInlineLinkTextAlone: an inline link kept by a cut whose
// inline form does not fit the room the text before it leaves is written
// as its text alone, its URL moved after the ellipsis as any other, as a
// reference link kept without its definition is (see cutter.decided).
// Before, the link was kept whole or left out whole, and its text was
// lost where it fit: "Some words here… https://…" where "Some words here
// status page… https://…" fit.
func TestShortenInlineLinkTextAlone(t *testing.T) {
	const (
		url  = "https://status.example.com/incidents/42"
		text = "Some words here [status page](" + url + ") more words after"
	)
	tests := []struct {
		name  string
		s     string
		limit int
		want  string
	}{
		{"inline fits", text, 74, "Some words here [status page](" + url + ")" + templates.Ellipsis},
		{"inline one over", text, 70, "Some words here status page" + templates.Ellipsis + " " + url},
		{"text alone just fits", text, 68, "Some words here status page" + templates.Ellipsis + " " + url},
		{"text alone does not fit", text, 67, "Some words here" + templates.Ellipsis + " " + url},
		{"image", "Some words here ![graph](https://x.example/g.png) more words after", 46,
			"Some words here graph" + templates.Ellipsis + " https://x.example/g.png"},
		{"no URL", "Some words here [status page](/status) more words after", 30,
			"Some words here status page" + templates.Ellipsis},
		// Decided inline at the first cut that keeps it, the link is not
		// traded for more text at a later cut: "status page and… https://…"
		// would fit too.
		{"later cut writes it as decided", "[status page](" + url + ") and a few more words", 57,
			"[status page](" + url + ")" + templates.Ellipsis},
		{"in a code span it is text", "Some words `[status page](" + url + ")` more words after", 60,
			"Some words" + templates.Ellipsis + " " + url},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := templates.Shorten(tt.s, tt.limit, templates.Runes)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, templates.Runes(got), tt.limit)
		})
	}
}

// TestRenderFitInlineLinkTextAlone: RenderFit writes an inline link whose
// inline form does not fit the room the text before it leaves as its text
// alone, where that fits, as it writes a reference link kept without its
// definition. Before, the cut fell before the link and its text was lost:
// "See…" where "See status page…" fit.
func TestRenderFitInlineLinkTextAlone(t *testing.T) {
	const url = "https://x.example/incidents/42/timeline"
	body := "See [status page](" + url + ") and more words after it to cut here"
	u := representative(broadcast.StatusInvestigating)
	u.Components, u.Advice, u.Body = nil, "", body
	set := templates.Default()
	for _, name := range []string{"markdown", "text"} {
		measure := func(b string) int {
			v := u
			v.Body = b
			out, err := set.Render(name, v)
			require.NoError(t, err)
			return templates.Runes(out)
		}
		textAlone := measure("See status page" + templates.Ellipsis)
		inline := measure("See [status page](" + url + ")" + templates.Ellipsis)
		require.Less(t, textAlone, inline)
		for limit := textAlone; limit < inline; limit++ {
			out, err := set.RenderFit(name, u, limit, templates.Runes)
			require.NoError(t, err, "%s, limit %d", name, limit)
			assert.LessOrEqual(t, templates.Runes(out), limit)
			assert.True(t, strings.Contains(out, "See status page ") || strings.Contains(out, "See status page"+templates.Ellipsis), "%s, limit %d: %q", name, limit, out)
			assert.NotContains(t, out, url, "%s, limit %d", name, limit)
		}
		out, err := set.RenderFit(name, u, inline, templates.Runes)
		require.NoError(t, err)
		assert.Contains(t, out, url, name)
	}
}

// TestShortenKeepsEveryURLOfALink: a link left out by a cut, or written
// as its text alone, loses no URL it holds: one in its destination that
// does not start it ("<x https://…>"), one in its title, one in its text,
// each moved after the ellipsis as a URL of the text is. Before, only the
// URL that starts the destination was moved, and the others were lost.
func TestShortenKeepsEveryURLOfALink(t *testing.T) {
	const e = templates.Ellipsis
	tests := []struct {
		name  string
		s     string
		limit int
		want  string
	}{
		{"not at the destination's start", "Some words here [a](<x http://example.com/p>) more words after", 38,
			"Some words here" + e + " http://example.com/p"},
		{"not at the destination's start, text alone", "Some words here [a](<x http://example.com/p>) more words after", 40,
			"Some words here a" + e + " http://example.com/p"},
		{"in the title", `Some words here [a](http://b.example/x "see http://c.example/y") more words after`, 55,
			"Some words here" + e + " http://b.example/x http://c.example/y"},
		{"in the title, text alone", `Some words here [a](http://b.example/x "see http://c.example/y") more words after`, 56,
			"Some words here a" + e + " http://b.example/x http://c.example/y"},
		// A URL in the text ends with the text, at the "](" the
		// destination follows, as CommonMark reads the link; the
		// destination's URL is one of its own.
		{"in the text, up to the destination, text alone", "Some words here [see http://example.com/p](http://other.example/q) more words after", 66,
			"Some words here see http://example.com/p " + e + " http://other.example/q"},
		{"in the text, up to the destination", "Some words here [see http://example.com/p](http://other.example/q) more words after", 61,
			"Some words here" + e + " http://example.com/p http://other.example/q"},
		{"in the text, up to a destination not a URL, text alone", "Some words here [http://example.com/p](relative/q) more words after", 39,
			"Some words here http://example.com/p " + e},
		{"in the text, before white space", "Some words here [see http://example.com/p now](http://other.example/q) more words after", 66,
			"Some words here" + e + " http://example.com/p http://other.example/q"},
		{"in the text, text alone", "[see http://example.com/p now](http://other.example/q) more words after", 53,
			"see http://example.com/p now" + e + " http://other.example/q"},
		// So too in the text of an image in a link's text: the image's
		// destination is no part of it.
		{"in an image's text, in a link's text", "Some words here [![see http://example.com/p](http://img.example/i.png)](http://other.example/q) more words after", 85,
			"Some words here" + e + " http://example.com/p http://img.example/i.png http://other.example/q"},
		{"a definition's", "Some words here [a][1] more words after\n\n[1]: <x http://example.com/p>", 40,
			"Some words here a" + e + " http://example.com/p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := templates.Shorten(tt.s, tt.limit, templates.Runes)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, templates.Runes(got), tt.limit)
		})
	}
}
