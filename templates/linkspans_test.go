package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// A link ends where the sentence around it goes on without a space, as
// Mastodon and twitter-text end it: at quotation marks, CJK brackets and
// punctuation, full-width punctuation and the general punctuation (but
// its dashes), whose characters no path of a URL in text holds; then the
// sentence's own punctuation at its end is left out, as before. Letters
// of any script go on.
func TestLinkSpansEndAtPunctuationOutsideASCII(t *testing.T) {
	for s, want := range map[string][]string{
		"詳細はhttps://x.example/i/1」をご覧ください":           {"https://x.example/i/1"},
		"「https://x.example/i/1」をご覧ください。":            {"https://x.example/i/1"},
		"詳細はhttps://x.example/i/1。次の更新は30分後":         {"https://x.example/i/1"},
		"詳細はhttps://x.example/i/1、または":               {"https://x.example/i/1"},
		"『https://x.example/a』【https://x.example/b】": {"https://x.example/a", "https://x.example/b"},
		"«https://x.example/a»":                      {"https://x.example/a"},
		"„https://x.example/a“ und":                  {"https://x.example/a"},
		"“https://x.example/a”.":                     {"https://x.example/a"},
		"‘https://x.example/a’":                      {"https://x.example/a"},
		"‹https://x.example/a›":                      {"https://x.example/a"},
		"(see https://x.example/a)。":                 {"https://x.example/a"},
		"(see https://x.example/a).」":                {"https://x.example/a"},
		"（詳細：https://x.example/a）":                   {"https://x.example/a"},
		"詳細：https://x.example/a，謝謝":                  {"https://x.example/a"},
		"见https://x.example/a！":                      {"https://x.example/a"},
		"见https://x.example/a？":                      {"https://x.example/a"},
		"｢https://x.example/a｣":                      {"https://x.example/a"},
		"https://x.example/a…":                       {"https://x.example/a"},
		"https://x.example/a\u2069 next":             {"https://x.example/a"},
		"https://x.example/a\u202c":                  {"https://x.example/a"},
		"https://x.example/a\u2060b":                 {"https://x.example/a"},
		"देखें https://x.example/a।":                 {"https://x.example/a"},
		"هنا https://x.example/a؟":                   {"https://x.example/a"},
		"¿https://x.example/a¿":                      {"https://x.example/a"},
		// Two URLs with only punctuation between are two links.
		"https://a.example/1、https://b.example/2。": {"https://a.example/1", "https://b.example/2"},
		// Brackets the URL opened stay; one it did not open goes, as
		// before the punctuation that ends the link.
		"「https://en.wikipedia.org/wiki/Mars_(planet)」": {"https://en.wikipedia.org/wiki/Mars_(planet)"},
		"«https://x.example/a)»":                        {"https://x.example/a"},
		"(https://x.example/a_(b))»":                    {"https://x.example/a_(b)"},
		// What a path holds goes on: letters of any script, "々", the
		// dashes, full-width letters and digits, a "~".
		"https://ja.wikipedia.org/wiki/東京 です":           {"https://ja.wikipedia.org/wiki/東京"},
		"https://x.example/人々":                          {"https://x.example/人々"},
		"https://x.example/Michelson–Morley_experiment": {"https://x.example/Michelson–Morley_experiment"},
		"https://x.example/ｗｉｋｉ１":                       {"https://x.example/ｗｉｋｉ１"},
		"https://x.example/~ops/ü.":                     {"https://x.example/~ops/ü"},
		"https://x.example/a\u200db":                    {"https://x.example/a\u200db"},
	} {
		var got []string
		for _, sp := range templates.LinkSpans(s) {
			got = append(got, s[sp[0]:sp[1]])
		}
		assert.Equal(t, want, got, s)
	}
}

// Every link LinkSpans finds lies in a URL URLSpans finds, starting at it
// or after a character that ends a link, and a long text of URLs glued by
// such characters is read in one pass.
func TestLinkSpansWithinURLSpans(t *testing.T) {
	s := strings.Repeat("https://x.example/a«", 20000)
	spans := templates.LinkSpans(s)
	assert.Len(t, spans, 20000)
	assert.Equal(t, [][]int{{0, len(s)}}, templates.URLSpans(s))
	for _, sp := range spans {
		if !assert.Equal(t, "https://x.example/a", s[sp[0]:sp[1]]) {
			break
		}
	}
}

// A URL whose link would be its scheme alone once the sentence's
// punctuation is left out ("https://...", "(https://)") is no link, as
// one cut right after its "://" is none: a channel would link "https://".
func TestLinkSpansNoBareScheme(t *testing.T) {
	for _, s := range []string{"see https://...", "(https://)", "x https://¡¿", "देखें https://।", "«https://'»"} {
		assert.Empty(t, templates.LinkSpans(s), s)
	}
	s := "(https://) https://x.example/a://."
	assert.Equal(t, [][]int{{11, 33}}, templates.LinkSpans(s), s)
}
