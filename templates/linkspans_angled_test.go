package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestLinkSpansAngledURLWhole: a URL within "<" and ">", an autolink
// (CommonMark 0.31.2, 6.5), as Shorten moves a link's destination, is
// one link, the URL without the brackets, whole: its final ")" or ".",
// a character that ends a link in a sentence ("「") and a '"' are its
// own. Before, LinkSpans ended it as a URL in a sentence
// ("https://x.example/a" of "<https://x.example/a)>"), and a channel
// linked another page. A URL within "<" and ">" with white space in it
// is no autolink: its link ends as before.
func TestLinkSpansAngledURLWhole(t *testing.T) {
	for s, want := range map[string][]string{
		"See… <https://x.example/a)>":                       {"https://x.example/a)"},
		"See… <https://x.example/a.>":                       {"https://x.example/a."},
		"See… <https://x.example/a「b」>":                     {"https://x.example/a「b」"},
		`See… <https://x.example/a"b>`:                      {`https://x.example/a"b`},
		"See… <https://x.example/a&amp;b>.":                 {"https://x.example/a&amp;b"},
		"<https://x.example/a)> and (https://x.example/b).": {"https://x.example/a)", "https://x.example/b"},
		"See <https://x.example/a) b>":                      {"https://x.example/a"},
		"See <https://x.example/a)\u3000b>":                 {"https://x.example/a"},
		"See https://x.example/a)>":                         {"https://x.example/a"},
	} {
		var got []string
		for _, sp := range templates.LinkSpans(s) {
			got = append(got, s[sp[0]:sp[1]])
		}
		assert.Equal(t, want, got, "%q", s)
		got = got[:0]
		for _, sp := range templates.LinkSpansWhole(s, "https://x.example/a") {
			got = append(got, s[sp[0]:sp[1]])
		}
		assert.Equal(t, want, got, "%q whole", s)
	}
}
