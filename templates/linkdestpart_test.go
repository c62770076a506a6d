package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenLinkDestinationPartlyURL: a link destination that is only
// partly a URL as URLSpans finds one in text, "https://x.example/a\"b" (a
// URL ends at a '"' in text) or "<https://x.example/a b>", is a
// destination whole, as CommonMark reads it (0.31.2, 6.3), the URL the
// link points to: a cut before the link, or before the definition of a
// reference link, moves it whole after the ellipsis, as an autolink (see
// TestShortenMovesQuotedDestinationWhole). Before, the destination was
// taken for no URL at all, and the cut dropped it ("Some words before the
// link…"); then only the URL it starts with moved, "https://x.example/a".
func TestShortenLinkDestinationPartlyURL(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{"Some words before the link [a](https://x.example/a\"b) and more words after it", 36, "Some words… <https://x.example/a\"b>"},
		{"Some words before the link ![a](https://x.example/a\"b) and more words after it", 36, "Some words… <https://x.example/a\"b>"},
		{"Some words before the link [a](<https://x.example/a b>) and more words after it", 38, "Some words… <https://x.example/a%20b>"},
		{"Some words before the link [a][1] and more words after it\n\n[1]: https://x.example/a\"b", 36, "Some words… <https://x.example/a\"b>"},
		{"Some words before the link [a][1] and more words after it\n\n[1]: https://x.example/a\"b", 70,
			"Some words before the link [a](https://x.example/a\"b) and more words…"},
		{"Some words and more words after them\n\n[1]: https://x.example/a\"b", 36, "Some words… <https://x.example/a\"b>"},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
