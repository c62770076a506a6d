package templates

import (
	"math/rand"
	"strings"
	"testing"
)

var shortenTestPieces = []string{
	"See ", "the ", "status ", "page", " ", "  ", "\n", ".", ",", "(", ")", "[", "]", "!", "\\",
	"[status page](https://x.example/a)", "![graph](https://x.example/g.png)", "[wiki](https://en.example.org/wiki/Mars_(planet))",
	"[a](<https://x.example/b c>)", "[c &amp; d](https://c.example/3)", "[x](foo)", "](", "[", "&amp;", "&#8212;", "&#x1F408;",
	"&am", "&", ";", "https://s.example/1", "https://s.example/東京、", "api.cloud.example", "#cdnoutage", "@AcmeSupport",
	"東京", "、", "e\u0301", "👨‍👩‍👧", "–", "-",
}

// TestShortenPromisesOnMarkup: on texts of Markdown links, images,
// character references, URLs and the rest, Shorten's result fits in each
// of the four measures, is s's prefix, the ellipsis and URLs of s, ends
// inside no link nor reference, and keeps the text up to the last cut
// that fits (or a word's end near it).
func TestShortenPromisesOnMarkup(t *testing.T) {
	measures := map[string]Measure{"bytes": Bytes, "runes": Runes, "graphemes": Graphemes, "x": xWeight}
	r := rand.New(rand.NewSource(6))
	for n := 0; n < 300; n++ {
		var b strings.Builder
		for range 1 + r.Intn(14) {
			b.WriteString(shortenTestPieces[r.Intn(len(shortenTestPieces))])
		}
		s := b.String()
		var marks []mark
		for _, mk := range markup(s) {
			inURL := false
			for _, u := range URLSpans(s) {
				inURL = inURL || u[0] < mk.span[0] && mk.span[0] < u[1]
			}
			if inURL { // a link that starts inside a URL is the URL's
				marks = nil
				break
			}
			marks = append(marks, mk)
		}
		if marks == nil && strings.Contains(s, "](") {
			continue
		}
		for name, m := range measures {
			for limit := 1; limit < m(s); limit++ {
				got := Shorten(s, limit, m)
				if m(got) > limit {
					t.Fatalf("%s: Shorten(%q, %d) = %q measures %d", name, s, limit, got, m(got))
				}
				head, tail, cut := strings.Cut(got, Ellipsis)
				head = strings.TrimSuffix(head, " ") // after a URL
				if !keptPrefix(s, head) {
					t.Fatalf("%s: Shorten(%q, %d) = %q: no prefix", name, s, limit, got)
				}
				// A link written as its text alone: the model below
				// writes every link as it is.
				alone := !strings.HasPrefix(s, head)
				if !cut {
					continue
				}
				for _, mk := range marks {
					if !alone && mk.span[0] < len(head) && len(head) < mk.span[1] {
						t.Fatalf("%s: Shorten(%q, %d) = %q ends inside %q", name, s, limit, got, s[mk.span[0]:mk.span[1]])
					}
				}
				// The largest cut that fits, with as many URLs as Shorten kept.
				c := newCutter(s)
				c.all()
				keep := len(strings.Fields(tail))
				best := -1
				for i := range c.cuts {
					if m(c.withURLs(c.head(i, Ellipsis), i, keep)) <= limit {
						best = i
					}
				}
				if best < 0 || name == "x" || alone { // x weighs a URL 23: fewer may fit after a later cut
					continue
				}
				want := c.withURLs(c.head(best, Ellipsis), best, keep)
				alt := c.withURLs(c.head(c.wordCut(best), Ellipsis), c.wordCut(best), keep)
				if got != want && got != alt && len(got) < len(alt) {
					t.Fatalf("%s: Shorten(%q, %d) = %q, but %q fits", name, s, limit, got, want)
				}
			}
		}
	}
}
