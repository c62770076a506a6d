package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// linksOf returns the links a channel finds in s (see LinkSpans).
func linksOf(s string) []string {
	var out []string
	for _, l := range templates.LinkSpans(s) {
		out = append(out, s[l[0]:l[1]])
	}
	return out
}

// TestCutKeepsURLRunningOutOfImage: an image in the text of a link whose
// "](" closes nothing ("[![graph](https://…/i.png)](and more") is an
// image, and the URL of its destination runs on, without white space,
// through its ")" and the "](" after it: channels that link bare URLs
// link "https://…/i.png)](and". Before, a cut wrote the image as its text
// alone, "[graph](and…", and moved "https://…/i.png" after the ellipsis,
// its ")" and what follows dropped: a link that leads elsewhere. The
// image and the rest of that URL are one now, kept whole, inline, or
// left out whole with the URL moved whole.
func TestCutKeepsURLRunningOutOfImage(t *testing.T) {
	set := templates.Default()
	for _, s := range []string{
		"Intro words here [![graph](https://x.example/i.png)](and more words after it to cut",
		"Intro words here [![graph](https://x.example/i.png)](https://x.example/d and more words after it to cut",
		"Intro words here ![graph](https://x.example/i.png)](then more words after it to cut",
	} {
		links := linksOf(s)
		for limit := 10; limit < len(s); limit++ {
			out := templates.Shorten(s, limit, templates.Runes)
			for _, l := range linksOf(out) {
				assert.Contains(t, links, l, "Shorten %d: %q", limit, out)
			}
		}
		u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: s}
		full, err := set.RenderFit("short", u, 0, nil)
		assert.NoError(t, err)
		links = linksOf(full)
		for limit := 30; limit < len(full); limit++ {
			out, err := set.RenderFit("short", u, limit, nil)
			assert.NoError(t, err)
			for _, l := range linksOf(out) {
				assert.Contains(t, links, l, "RenderFit %d: %q", limit, out)
			}
			assert.NotContains(t, out, "here [graph]", "RenderFit %d: %q", limit, out)
			assert.NotContains(t, out, "here graph", "RenderFit %d: %q", limit, out)
		}
	}
}
