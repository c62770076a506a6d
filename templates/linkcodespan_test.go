package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenLinkAroundCodeSpan: a link whose text holds a code span is
// kept whole or left out whole, as any link, whatever brackets the code
// span holds: CommonMark reads a code span before a link's brackets
// (0.31.2, 6.1: "[not a `link](/foo`)" is no link), so a "]" or a whole
// "[x](y)" in one is text of the link around it. Before, such a "]"
// closed the link's "[" and such a "[x](y)" made it none (a link holds
// no link), and the link was cut inside: "See [see…".
func TestShortenLinkAroundCodeSpan(t *testing.T) {
	for _, tt := range []struct{ s, link string }{
		{"See [see `[x](https://a.example/)` here](https://b.example/) for the details and more words",
			"[see `[x](https://a.example/)` here](https://b.example/)"},
		{"See [a `](` b](https://b.example/) for the details and more words", "[a `](` b](https://b.example/)"},
		{"See [`]`](https://b.example/) for the details and more words", "[`]`](https://b.example/)"},
		{"See [a ``x ` ](y``](https://b.example/) for the details and more words", "[a ``x ` ](y``](https://b.example/)"},
	} {
		for limit := 1; limit <= len(tt.s); limit++ {
			got := templates.Shorten(tt.s, limit, templates.Runes)
			head, _, cut := strings.Cut(got, templates.Ellipsis)
			// The link is kept whole, or its text alone (see
			// TestShortenInlineLinkTextAlone), code span and all.
			text := tt.link[1:strings.LastIndex(tt.link, "](")]
			if cut && strings.Contains(head, "[") && !strings.Contains(head, text) {
				assert.Contains(t, head, tt.link, "%q at %d: a link cut", got, limit)
			}
		}
	}
}

// TestShortenCodeSpanIsNoLink: brackets that a code span splits are no
// link ("[not a `link](https://…/foo`)", CommonMark 0.31.2, example
// 342; before, it was kept or left out whole: "See…"). A code span that is not closed, or closed
// after a blank line, is text, so a link after its backticks is one; and
// a link in a code span is still kept whole, and its URL moved alone.
func TestShortenCodeSpanIsNoLink(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{"See [not a `link](https://x.example/foo`) and more words after it", 20, "See [not a…"},
		{"See `unclosed [the page](https://x.example/a) and more words", 38, "See `unclosed… https://x.example/a"},
		{"See `a\n\nb [the page](https://x.example/a) and more` words", 32, "See `a\n\nb… https://x.example/a"},
		{"See `[x](https://a.example/)` and more words after it", 29, "See… https://a.example/"},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
