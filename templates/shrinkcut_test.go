package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/templates"
)

// TestShortenLinkWhoseInlineFormWeighsLess: X's link pattern takes a
// link's text that ends in a URL, and the "](…)" after it, in as one URL,
// so the link kept inline weighs less than its URLs moved after the
// ellipsis by a cut before it: a longer cut weighs less than a shorter
// one. Before, the binary search over the cuts took the cuts before the
// link that did not fit for proof that no later one did, and cut in front
// of it ("Read the… https://… https://… https://…"), dropping some forty
// characters of text where the link and the words before it fitted.
func TestShortenLinkWhoseInlineFormWeighsLess(t *testing.T) {
	const link = "[the report at https://status.example.com/r/42](https://status.example.com/r/42)"
	s := "Read the whole of it here: " + link + " before the call. Old notes: [notes](https://notes.example.com/1) now."
	kept := "Read the whole of it here: " + link + "… https://notes.example.com/1"
	for _, m := range []struct {
		name string
		m    templates.Measure
	}{{"x", twitter.Weight}, {"weighted", weighted}} {
		for limit := m.m(kept); limit < m.m(s); limit++ {
			out := templates.Shorten(s, limit, m.m)
			assert.LessOrEqual(t, m.m(out), limit, "%s %d: %q", m.name, limit, out)
			assert.True(t, strings.HasPrefix(out, "Read the whole of it here: "+link), "%s %d: %q (%q weighs %d)", m.name, limit, out, kept, m.m(kept))
		}
	}
}
