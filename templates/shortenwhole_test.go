package templates_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenWholeKeepsURLsWhole: ShortenWhole keeps each URL of whole
// that the text shows whole at every limit, as RenderFit and Text keep
// the Update.URL (see TestTextOverrideKeepsUpdateURLWhole), never cut
// at a character that ends a link in it ("https://status.example.com/a、…")
// nor moved without its end; Shorten, which knows no such URL, keeps to
// the rule for a URL in a sentence. An entry of whole that is not one
// URL changes nothing.
func TestShortenWholeKeepsURLsWhole(t *testing.T) {
	for _, tc := range updateURLsEndingLinks {
		s := "See the status page. " + tc.body
		for limit := templates.Runes(s) - 1; limit > templates.Runes(templates.Ellipsis+" "+tc.url); limit-- {
			got := templates.ShortenWhole(s, limit, templates.Runes, tc.url)
			assert.LessOrEqual(t, templates.Runes(got), limit)
			assert.False(t, showsPrefixAlone(got, tc.url, tc.prefix), "limit %d: %q", limit, got)
			for _, other := range []string{"", "not a URL", "https://x.example/a b"} {
				assert.Equal(t, templates.Shorten(s, limit, templates.Runes), templates.ShortenWhole(s, limit, templates.Runes, other))
			}
		}
	}
	s := "Some words and more words after it, then " + parenURL + " and more words."
	for limit := templates.Runes(s) - 1; limit > templates.Runes(templates.Ellipsis+" "+parenURL); limit-- {
		got := templates.ShortenWhole(s, limit, templates.Runes, "https://x.example/other", parenURL)
		assert.Contains(t, got, parenURL, "limit %d", limit)
		assert.Equal(t, strings.Count(got, strings.TrimSuffix(parenURL, ")")), strings.Count(got, parenURL), "limit %d: %q", limit, got)
	}
}

func ExampleShortenWhole() {
	url := "https://en.example.org/wiki/O’Brien" // an Update.URL: "’" ends a link in a sentence
	s := "Retry the upload later, and read " + url + " first."
	fmt.Println(templates.Shorten(s, 55, templates.Runes))
	fmt.Println(templates.ShortenWhole(s, 55, templates.Runes, url))
	// Output:
	// Retry the upload later… https://en.example.org/wiki/O
	// Retry the upload… https://en.example.org/wiki/O’Brien
}
