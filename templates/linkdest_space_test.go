package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenMovesDestinationWithUnicodeSpaceLinked: a destination may
// hold white space outside ASCII (CommonMark 0.31.2, 6.3 excludes only
// the ASCII space and control characters), written as it is ("\u00a0")
// or as a character reference ("&nbsp;", "&#x3000;", 2.5). Moved after
// the ellipsis, it is written percent-encoded ("%C2%A0"), as a renderer
// writes the link's href, so that the autolink has no white space in it
// and LinkSpans links the URL the link points to whole. Before, it moved
// as "<https://x.example/a\u00a0b>", which LinkSpans ended at the white
// space, a link to https://x.example/a, another page.
func TestShortenMovesDestinationWithUnicodeSpaceLinked(t *testing.T) {
	cases := []shortenCase{
		{"See the details at [a](https://x.example/a\u00a0b)" + destWords, 34, "See… <https://x.example/a%C2%A0b>"},
		{"See [a](https://x.example/a&nbsp;b)" + destWords, 35, "See a… <https://x.example/a%C2%A0b>"},
		{"See [a](https://x.example/a&#x3000;b)" + destWords, 36, "See… <https://x.example/a%E3%80%80b>"},
		{"See the details at [a](<https://x.example/a\u2028b>)" + destWords, 40, "See the… <https://x.example/a%E2%80%A8b>"},
	}
	assertShortens(t, cases)
	for _, tt := range cases {
		got := templates.Shorten(tt.s, tt.limit, templates.Runes)
		var links []string
		for _, sp := range templates.LinkSpans(got) {
			links = append(links, got[sp[0]:sp[1]])
		}
		assert.Equal(t, []string{strings.TrimSuffix(tt.want[strings.Index(tt.want, "<")+1:], ">")}, links, "%q links", got)
	}
}
