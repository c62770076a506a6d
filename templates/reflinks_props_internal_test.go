package templates

import (
	"errors"
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// refTestPieces are pieces of bodies with reference links, link
// reference definitions (which start a paragraph, so most pieces that
// hold one start with a blank line or a container's marker), inline
// links, code spans, block quotes and list items, tabs, CR LF, fences,
// headings and HTML blocks.
var refTestPieces = []string{
	"See ", "the ", "status page", " ", "\n", "\n\n", "> ", "- ", "1. ", "    ", "`", "``", "[", "]", "][", "]:", "(", ")", "'", "\"",
	"[status page][1]", "[1][]", "[1]", "[Status\nPage]", "![graph][img]", "[x][nope]", "[a `]` b][1]",
	"\n\n[1]: https://x.example/1", "\n\n[Status page]: https://x.example/2 \"Title\"", "\n\n[img]: <https://x.example/3.png>\n  'alt\ntext'",
	"\n\n> [1]: https://x.example/4", "\n\n- [status PAGE]:\n  https://x.example/5", "\n[1]: https://x.example/6",
	"[inline](https://x.example/7)", "\t", "\r\n", "```\n", "# ", "===\n", "<div>", "\\", "[x\n\n", "-\n\n", "`[1]`", "<https://x.example/8>", "https://x.example/9", "&amp;",
}

var refTestURL = regexp.MustCompile(`https://x\.example/[0-9](\.png)?`)

// TestShortenPromisesOnReferences: on seeded random bodies of reference
// links, definitions, inline links, code spans and containers, Shorten
// never panics, its result fits the limit, is a prefix of s, the
// ellipsis and URLs of s, ends inside no link, definition or reference
// (see markup), and, where the limit holds all the URLs after an
// ellipsis, loses none of s's URLs outside a link's text; RenderFit of
// each default template with s as the body neither fails nor exceeds
// its limit.
func TestShortenPromisesOnReferences(t *testing.T) {
	r := rand.New(rand.NewSource(59))
	for n := 0; n < 400; n++ {
		var b strings.Builder
		for range 1 + r.Intn(16) {
			b.WriteString(refTestPieces[r.Intn(len(refTestPieces))])
		}
		s := b.String()
		marks := markup(s)
		var want []string // the URLs no cut may lose
	urls:
		for _, u := range refTestURL.FindAllStringIndex(s, -1) {
			for _, mk := range marks {
				if mk.span[0] < u[0] && u[0] < mk.span[1] && mk.dest[0] != u[0] {
					continue urls // in a link's text or label
				}
			}
			want = append(want, s[u[0]:u[1]])
		}
		for _, name := range []string{"short", "text", "markdown", "html"} {
			u := broadcast.Update{ID: "u", IncidentID: "i", Title: "T", Status: broadcast.StatusInvestigating, Body: s}
			for _, limit := range []int{40, 80, 160} {
				out, err := Default().RenderFit(name, u, limit, Runes)
				if err == nil && Runes(out) > limit {
					t.Fatalf("RenderFit(%s, %q, %d) = %q: over the limit", name, s, limit, out)
				}
				if err != nil && !errors.Is(err, ErrTooLong) {
					t.Fatalf("RenderFit(%s, %q, %d): %v", name, s, limit, err)
				}
			}
		}
		c := newCutter(s)
		c.all()
		all := Runes(c.withURLs(Ellipsis, 0, len(c.urls)))
		for limit := 1; limit < Runes(s); limit++ {
			got := Shorten(s, limit, Runes)
			where := fmt.Sprintf("Shorten(%q, %d) = %q", s, limit, got)
			if Runes(got) > limit {
				t.Fatalf("%s: over the limit", where)
			}
			head, _, cut := strings.Cut(got, Ellipsis)
			head = strings.TrimSuffix(head, " ")
			if !strings.HasPrefix(s, head) {
				// A reference link kept without its definition is
				// written as an inline link, or its text (see
				// TestFitKeepsNoReferenceWithoutItsDefinition).
				if len(c.refs) == 0 {
					t.Fatalf("%s: no prefix", where)
				}
				continue
			}
			if !cut {
				continue
			}
			for _, mk := range marks {
				// (a definition's span holds the blanks that end its line)
				if mk.span[0] < len(head) && len(head) < mk.span[1] && strings.TrimSpace(s[len(head):mk.span[1]]) != "" {
					t.Fatalf("%s: ends inside %q", where, s[mk.span[0]:mk.span[1]])
				}
			}
			if limit < all {
				continue
			}
			for _, u := range want {
				if !strings.Contains(got, u) {
					t.Fatalf("%s: lost %s", where, u)
				}
			}
		}
	}
}

// TestFitKeepsNoReferenceWithoutItsDefinition: on seeded random bodies of
// reference links and images and their definitions, no output of
// Shorten, or of RenderFit of the short and text templates (which write
// the body as it is), that cuts the body shows a reference link of the
// body as written, in brackets, without the definition it links to:
// kept, it is written as the inline link it is, or as its text alone
// when its URL cannot fit. Before, "[status page][1]" was kept as
// written when the cut left "[1]: https://…" out, and showed so,
// brackets and all, its URL moved after the ellipsis by Shorten and
// lost by RenderFit.
func TestFitKeepsNoReferenceWithoutItsDefinition(t *testing.T) {
	pieces := []string{
		"See ", "the ", "status page", " and more", ". ", "\n", "\n\n",
		"[status page][1]", "[1][]", "[1]", "![graph][img]", "[Status Page]", "[x][nope]", "[a `]` b][1]",
		"[inline](https://x.example/7)", " https://x.example/9 ",
		"\n\n[1]: https://x.example/1\n\n", "\n\n[status page]: https://x.example/2 \"Title\"\n\n", "\n\n[img]: <https://x.example/3.png>\n\n",
	}
	r := rand.New(rand.NewSource(61))
	for n := 0; n < 300; n++ {
		var b strings.Builder
		for range 2 + r.Intn(14) {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		s := b.String()
		var links []mark
	marks:
		for _, mk := range markup(s) {
			for _, u := range keptURLSpans(s) {
				if u[0] <= mk.span[0] && mk.span[0] < u[1] {
					continue marks // part of a URL, as X reads it (see keptSpans)
				}
			}
			if mk.ref != nil {
				links = append(links, mk)
			}
		}
		if len(links) == 0 {
			continue
		}
		check := func(where, out string) {
			t.Helper()
			if !strings.Contains(out, Ellipsis) {
				return
			}
			for _, mk := range links {
				def := s[mk.ref.span[0]:mk.ref.raw[1]]
				link := s[mk.span[0]:mk.span[1]]
				head, _, _ := strings.Cut(out, Ellipsis) // the URLs moved after it are no links
				for rest := head; ; {
					k := strings.Index(rest, link)
					if k < 0 {
						break
					}
					rest = rest[k+len(link):]
					if !strings.HasPrefix(rest, "(") && !strings.Contains(out, def) { // "[1](https://…)" is an inline link
						t.Fatalf("%s = %q: %q without %q", where, out, link, def)
					}
				}
			}
		}
		for limit := 1; limit < Runes(s); limit += 1 + limit/8 {
			check(fmt.Sprintf("Shorten(%q, %d)", s, limit), Shorten(s, limit, Runes))
		}
		for _, name := range []string{"short", "text"} {
			u := broadcast.Update{ID: "u", IncidentID: "i", Title: "T", Status: broadcast.StatusInvestigating, Body: s}
			for _, limit := range []int{40, 60, 80, 120, 160} {
				out, err := Default().RenderFit(name, u, limit, Runes)
				if err != nil && !errors.Is(err, ErrTooLong) {
					t.Fatalf("RenderFit(%s, %q, %d): %v", name, s, limit, err)
				}
				check(fmt.Sprintf("RenderFit(%s, %q, %d)", name, s, limit), out)
			}
		}
	}
}
