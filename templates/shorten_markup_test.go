package templates_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// markupRE finds the Markdown links and images and the character
// references of the texts of TestShortenKeepsMarkupWhole.
var markupRE = regexp.MustCompile(`!?\[[^\]\n]*\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});`)

// TestShortenKeepsMarkupWhole: a Markdown link or image, which Discord
// and other chat tools render, and a character reference, which those
// that take HTML decode, are kept whole or left out whole at every
// limit: cut, "[status page](https://x.exa…" or "&am…" shows as written.
// The URL of a link left out follows the ellipsis, without the ")" that
// closes the link.
func TestShortenKeepsMarkupWhole(t *testing.T) {
	texts := []string{
		"See [the status page](https://status.example.com/i/42) for the details of this incident, and ![the graph](https://status.example.com/g.png) too",
		"Tom &amp; Jerry &#8212; the cats &#x1F408; are down &amp; out: [wiki](https://en.example.org/wiki/Mars_(planet)) says so",
		"[a](https://a.example/1)[b](https://b.example/2) [c &amp; d](https://c.example/3), (see [e](https://e.example/4)).",
	}
	for _, s := range texts {
		marks := markupRE.FindAllStringIndex(s, -1)
		require.NotEmpty(t, marks)
		for name, m := range measures {
			for limit := 1; limit <= m(s); limit++ {
				got := templates.Shorten(s, limit, m)
				require.LessOrEqual(t, m(got), limit)
				head, tail, _ := strings.Cut(got, templates.Ellipsis)
				require.True(t, templates.KeptPrefix(s, head), "%s limit %d: %q", name, limit, got)
				// (where a link is written as its text alone, head is a
				// prefix of s so written, see KeptPrefix)
				for _, mk := range marks {
					assert.False(t, strings.HasPrefix(s, head) && mk[0] < len(head) && len(head) < mk[1],
						"%s limit %d: %q cuts %q", name, limit, got, s[mk[0]:mk[1]])
				}
				for _, u := range strings.Fields(tail) {
					assert.Contains(t, s, "("+u+")", "%s limit %d: %q moves %q, no link's URL", name, limit, got, u)
				}
			}
		}
	}
}

// TestShortenMarkupExamples shows the cuts of TestShortenKeepsMarkupWhole.
func TestShortenMarkupExamples(t *testing.T) {
	const link = "See [the status page](https://x.example/a) for the details"
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		// Before: "See [the status… https://x.example/a)".
		// Now its text alone, where the link does not fit (see
		// TestShortenInlineLinkTextAlone).
		{link, 40, "See the status page… https://x.example/a"},
		// Before: a space before the ellipsis, as after a bare URL.
		{link, 43, "See [the status page](https://x.example/a)…"},
		{"Tom &amp; Jerry are down", 11, "Tom &amp;…"}, // before: "Tom &amp…"
		{"Tom &amp; Jerry are down", 8, "Tom…"},
		{"Look: ![graph](<https://x.example/g.png>) and more", 30, "Look… https://x.example/g.png"},
		// An escaped bracket opens no link: cut as before.
		{`\[not a link\] and then some more words`, 12, `\[not a…`},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}

// TestTextOverrideKeepsMarkdownLink: a channel's Overrides text is sent
// as written, Markdown links and all (Discord renders them in a
// message's content); one too long is cut outside its links.
func TestTextOverrideKeepsMarkdownLink(t *testing.T) {
	u := broadcast.Update{Title: "CDN outage", Status: broadcast.StatusInvestigating,
		Overrides: map[string]string{"discord": "Errors on the CDN: see [our status page](https://status.example.com/i/42) " +
			strings.Repeat("for more. ", 10)}}
	got, err := templates.Default().Text("discord", "markdown", u, 60, templates.Runes)
	require.NoError(t, err)
	assert.Equal(t, "Errors on the CDN: see… https://status.example.com/i/42", got)
}
