package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenNestedLinkIsTheInnerOne: a link holds no link (CommonMark
// 0.31.2, 6.3: of links nested in one another the innermost is the
// link), so in "[the [status page](…/c) of today](…/e)" the link is the
// inner one, to …/c, and the brackets around it are text, which a cut
// may fall in. Before, the outer was read as the link: cut before it, it
// moved …/e after the ellipsis and lost …/c, the page the text linked to. An image's text
// may hold a link: the image is kept whole, as before, or left out with
// both URLs moved.
func TestShortenNestedLinkIsTheInnerOne(t *testing.T) {
	const link = "See [the [status page](https://x.example/c) of today](https://x.example/e) and more words after it"
	const image = "See ![the [status page](https://x.example/c) of today](https://x.example/e) and more words after it"
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{link, 30, "See [the… https://x.example/c"},
		{link, 50, "See [the… https://x.example/c https://x.example/e"},
		{link, 64, "See [the [status page](https://x.example/c)… https://x.example/e"},
		// Left out, the image moves every URL it holds, …/c in its text
		// too, the last dropped where they do not all fit.
		{image, 30, "See… https://x.example/c"},
		{image, 70, "See… https://x.example/c https://x.example/e"},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
