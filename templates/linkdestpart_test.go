package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenLinkDestinationPartlyURL: a link destination that is only
// partly a URL, "https://x.example/a\"b" (a URL ends at a '"', as
// URLSpans finds it) or "<https://x.example/a b>", holds the URL it
// starts with, the part a channel would link: a cut before the link, or
// before the definition of a reference link, moves that URL after the
// ellipsis as any other. Before, the destination was taken for no URL
// at all, and the cut dropped it ("Some words before the link…").
func TestShortenLinkDestinationPartlyURL(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{"Some words before the link [a](https://x.example/a\"b) and more words after it", 32, "Some words… https://x.example/a"},
		{"Some words before the link ![a](https://x.example/a\"b) and more words after it", 32, "Some words… https://x.example/a"},
		{"Some words before the link [a](<https://x.example/a b>) and more words after it", 32, "Some words… https://x.example/a"},
		{"Some words before the link [a][1] and more words after it\n\n[1]: https://x.example/a\"b", 32, "Some words… https://x.example/a"},
		{"Some words before the link [a][1] and more words after it\n\n[1]: https://x.example/a\"b", 70,
			"Some words before the link [a](https://x.example/a\"b) and more words…"},
		{"Some words and more words after them\n\n[1]: https://x.example/a\"b", 32, "Some words… https://x.example/a"},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
