package bluesky

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// A link's destination that a cut moves after the ellipsis as an
// autolink, "<https://x.example/a]>" (templates.Shorten), is linked
// whole, without the brackets: its final ")", "]" or "." and a "「" in it are
// the URL's own. Before, the facet ended where a URL in a sentence ends
// (templates.LinkSpans), "https://x.example/a", another page, or held
// the destination's escape, "\)".
func TestFacetLinksMovedDestinationWhole(t *testing.T) {
	for written, dest := range map[string]string{
		`https://x.example/a\)`: "https://x.example/a)",
		"https://x.example/a]":  "https://x.example/a]",
		"https://x.example/a.":  "https://x.example/a.",
		"https://x.example/「a」": "https://x.example/「a」",
	} {
		text := templates.Shorten("See [the status page]("+written+") for the details and more words", 40, templates.Runes)
		assert.Contains(t, text, "<"+dest+">")
		var uris []string
		for _, f := range linkFacets(text) {
			uris = append(uris, f.Features[0].URI)
			assert.Equal(t, dest, text[f.Index.ByteStart:f.Index.ByteEnd])
		}
		assert.Equal(t, []string{dest}, uris, "%q", text)
	}
}
