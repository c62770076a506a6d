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
			for _, u := range keptURLSpans(s) {
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
				head, _, cut := strings.Cut(got, Ellipsis)
				head = strings.TrimSuffix(head, " ") // after a URL
				if !keptPrefix(s, head) {
					t.Fatalf("%s: Shorten(%q, %d) = %q: no prefix", name, s, limit, got)
				}
				if !cut {
					continue
				}
				// The cuts as Shorten documents them, with the most URLs
				// that fit after a lone ellipsis, each link written as
				// decided at the first cut that keeps it: the cut Shorten
				// made is one of them, at an offset of s inside no link,
				// also where it writes a link as its text alone and its
				// result is no prefix of s.
				c, render := decidedInOrder(s, limit, m, mostURLs(s, limit, m))
				outs := make([]string, len(c.cuts)) // each cut rendered once
				at := -1
				for i := range c.cuts {
					if outs[i] = render(i); outs[i] == got {
						at = i
					}
				}
				if at < 0 {
					t.Fatalf("%s: Shorten(%q, %d) = %q: no cut of s", name, s, limit, got)
				}
				for _, mk := range marks {
					if off := c.cuts[at]; mk.span[0] < off && off < mk.span[1] {
						t.Fatalf("%s: Shorten(%q, %d) = %q ends inside %q", name, s, limit, got, s[mk.span[0]:mk.span[1]])
					}
				}
				// The largest cut that fits.
				best := -1
				for i, out := range outs {
					if m(out) <= limit {
						best = i
					}
				}
				if best < 0 || name == "x" { // x weighs a URL 23: fewer may fit after a later cut
					continue
				}
				want, alt := outs[best], outs[c.wordCut(best)]
				if got != want && got != alt && len(got) < len(alt) {
					t.Fatalf("%s: Shorten(%q, %d) = %q, but %q fits", name, s, limit, got, want)
				}
			}
		}
	}
}

// decidedInOrder returns the cutter of s, cut to limit in m with keep URLs
// after the ellipsis, with each link or image it keeps written as Shorten
// documents, decided the plain way, going through every cut in order: the
// links a cut keeps first are written inline (a reference one whose
// destination does not fit after a lone ellipsis as its text alone), and
// all as their text alone when the cut, with the links before it written
// as decided, does not fit so; and render, the cut at an index so written.
func decidedInOrder(s string, limit int, m Measure, keep int) (c *cutter, render func(i int) string) {
	c = newCutter(s)
	c.all()
	c.refAs = make([]uint8, len(c.refs))
	render = func(i int) string { return c.withURLs(c.head(i, Ellipsis), i, keep) }
	for i := 1; i < len(c.cuts); i++ {
		inline := false
		var fresh []int
		for k, r := range c.refs {
			if !relinks(r, c.cuts[i]) || c.refAs[k] != refUndecided {
				continue
			}
			fresh = append(fresh, k)
			c.refAs[k] = refInline
			if r.ref != nil && m(Ellipsis+" "+s[r.ref.raw[0]:r.ref.raw[1]]) > limit {
				c.refAs[k] = refAlone
			}
			inline = inline || c.refAs[k] == refInline
		}
		if inline && m(render(i)) > limit {
			for _, k := range fresh {
				c.refAs[k] = refAlone
			}
		}
	}
	return c, render
}

// mostURLs returns the most URLs of s that fit in limit in m after a lone
// ellipsis, as Shorten moves them.
func mostURLs(s string, limit int, m Measure) int {
	c := newCutter(s)
	c.all()
	k := len(c.urls)
	for k > 0 && m(c.withURLs(Ellipsis, 0, k)) > limit {
		k--
	}
	return k
}
