package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenLinkWholeOrDropped: a link is kept whole or left out whole,
// and a cut leaves no bracket of it open or unopened: a URL in brackets
// moved after the ellipsis comes without the ")" that closed the
// brackets (before: "Some words… https://x.example/a)"), and a Markdown
// link with a title, or spread over lines, is not cut inside (before:
// "See [the page](https://x.example/a \"Status…").
func TestShortenLinkWholeOrDropped(t *testing.T) {
	for _, s := range []string{
		"Some words before the link (https://x.example/a) and more words after it",
		"Some words before the link (https://x.example/a). And more words after it",
		"Some words before the link [https://x.example/a] and more words after it",
		"Some words before [the page](https://x.example/a \"Status page\") and more words after it",
		"Some words before [the page](https://x.example/a 'Status page') and more words after it",
		"Some words before [the page](https://x.example/a (Status page)) and more words after it",
		"Some words before [the status\npage](https://x.example/a) and more words after it",
		"Some words before [the page](\nhttps://x.example/a) and more words after it",
		"Some words before [the page](https://x.example/a\n\"Status\npage\") and more words after it",
		"Some words before [the page](<https://x.example/a> \"Status\") and more words after it",
	} {
		for limit := 1; limit <= len(s); limit++ {
			got := templates.Shorten(s, limit, templates.Runes)
			head, tail, cut := strings.Cut(got, templates.Ellipsis)
			if !cut {
				continue
			}
			if i := strings.Index(s, "[the"); i >= 0 && strings.Contains(head, "[the") {
				link := s[i:strings.Index(s, " and more")]
				assert.Contains(t, head, link, "%q at %d: a link cut", got, limit)
			}
			for _, u := range strings.Fields(tail) {
				assert.Equal(t, "https://x.example/a", u, "%q at %d", got, limit)
			}
			assert.Equal(t, strings.Count(got, "(")+strings.Count(got, "["), strings.Count(got, ")")+strings.Count(got, "]"),
				"%q at %d: unbalanced brackets", got, limit)
		}
	}
}

// TestShortenLinkExamples shows the cuts of TestShortenLinkWholeOrDropped.
func TestShortenLinkExamples(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{"Some words (https://x.example/a) and more words", 32, "Some words… https://x.example/a"},
		{"Some words (https://x.example/a). And more words", 32, "Some words… https://x.example/a"},
		// A bracket the URL opened stays.
		{"Some words https://x.example/Mars_(planet) and more", 43, "Some words… https://x.example/Mars_(planet)"},
		// A URL's own final punctuation stays: the link is the channel's to make.
		{"Some words https://x.example/42. and more", 33, "Some words… https://x.example/42."},
		// Where the link does not fit the room the words before it leave,
		// its text alone does, its URL moved (see
		// TestShortenInlineLinkTextAlone).
		{"See [the page](https://x.example/a \"Status page\") for the details", 40, "See the page for… https://x.example/a"},
		{"See [the page](https://x.example/a \"Status page\") for the details", 32, "See… https://x.example/a"},
		{"See [the page](https://x.example/a \"Status page\") for the details", 50,
			"See [the page](https://x.example/a \"Status page\")…"},
		{"See [the status\npage](https://x.example/a) for the details", 40, "See the status\npage… https://x.example/a"},
		{"See [the status\npage](https://x.example/a) for the details", 35, "See… https://x.example/a"},
		{"See [the page](\nhttps://x.example/a) for the details", 38, "See [the page](\nhttps://x.example/a)…"},
	} {
		assert.Equal(t, tt.want, templates.Shorten(tt.s, tt.limit, templates.Runes), "%q at %d", tt.s, tt.limit)
	}
}
