package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenAngleURLKeepsItsParen: a URL within "<" and ">", a link's
// destination or an autolink, is moved after the ellipsis with the ")"
// it ends in: there the ")" is the URL's own, not one that closes the
// text's brackets (before: "See… https://x.example/a", another page).
// A URL in brackets still leaves the ")" that closes them behind.
// Bare, such a URL would be linked without its final ")" (or ".", or
// up to a "」"), as the channels link a URL in text (GitHub Flavored
// Markdown's autolinks extension does): it moves within its "<" and ">",
// as an autolink, as the text, Markdown, wrote it (before: "See…
// https://x.example/a)", linked to …/a); one that would be linked whole
// moves bare as before.
func TestShortenAngleURLKeepsItsParen(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		// The link's text kept alone (see TestShortenInlineLinkTextAlone).
		{"See [a](<https://x.example/a)>) for the details and more words", 30, "See a… <https://x.example/a)>"},
		{"See [a](<https://x.example/a)> \"Title\") for the details and more words", 30, "See a… <https://x.example/a)>"},
		{"See ![a](<https://x.example/a_(b))>) for the details and more words", 32, "See… <https://x.example/a_(b))>"},
		{"Some words and more words after it <https://x.example/a)>", 34, "Some words… <https://x.example/a)>"},
		{"Some words and more words after it <https://x.example/a.>", 34, "Some words… <https://x.example/a.>"},
		{"Some words and more words after it <https://x.example/a、b>", 36, "Some words… <https://x.example/a、b>"},
		{"Some words and more words after it <https://x.example/a_(b)>", 36, "Some words… https://x.example/a_(b)"},
		{"See [a](<https://x.example/a>) for the details and more words", 30, "See a for… https://x.example/a"},
		{"Some words (https://x.example/a) and more words after it", 32, "Some words… https://x.example/a"},
		{"See [a](https://x.example/a_(b)) for the details and more words", 30, "See a… https://x.example/a_(b)"},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
