package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenMovesDestinationWhole: a link's destination, moved after
// the ellipsis by a cut before its link, moves whole, as the link's
// own, and as an autolink, <url>, where a channel would link it bare
// short of its end, as one written within "<" and ">" moves (see
// TestShortenAngleURLKeepsItsParen): at a character that ends a link in a
// sentence ("「", see LinkSpans), at a final "." or at a closing bracket
// it did not open. Before, it moved bare ("See a… https://x.example/「a」",
// linked as https://x.example/), and a final "]" was left behind as the
// text's ("See… https://x.example/a", another page). One that a channel
// links whole bare still moves bare.
func TestShortenMovesDestinationWhole(t *testing.T) {
	assertShortens(t, []shortenCase{
		{"See [a](https://x.example/「a」)" + destWords, 30, "See a… <https://x.example/「a」>"},
		{"See [a](https://x.example/a「b)" + destWords, 30, "See a… <https://x.example/a「b>"},
		{"See ![a](https://x.example/「a」.png)" + destWords, 32, "See… <https://x.example/「a」.png>"},
		{"See [a](https://x.example/a「b \"Title\")" + destWords, 30, "See a… <https://x.example/a「b>"},
		{"See [a][1]" + destWords + "\n\n[1]: https://x.example/a「b", 30, "See a… <https://x.example/a「b>"},
		{"See [a](https://x.example/a])" + destWords, 28, "See… <https://x.example/a]>"},
		{"See [a](https://x.example/a.)" + destWords, 28, "See… <https://x.example/a.>"},
		{"See [a](https://x.example/東京)" + destWords, 27, "See a… https://x.example/東京"},
		{"See [a](https://x.example/a_(b))" + destWords, 30, "See a… https://x.example/a_(b)"},
	})
}

// destWords follow the link of a shortenCase, so that a cut comes before
// the link's end and moves its destination.
const destWords = " for the details and more words"

// shortenCase is a text s, the limit in runes it is shortened to, and
// what Shorten gives.
type shortenCase struct {
	s     string
	limit int
	want  string
}

// assertShortens asserts what Shorten gives for each of cases.
func assertShortens(t *testing.T, cases []shortenCase) {
	t.Helper()
	for _, tt := range cases {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
