package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenReferenceLinkWhole: a full, collapsed or shortcut reference
// link ("[text][label]", "[label][]", "[label]", CommonMark 0.31.2, 6.3)
// to a link reference definition (4.7: its label matched in any case,
// with its white space collapsed, the definition in a block quote or a
// list item too) is a link, kept or left out whole in every form, as an
// inline link is; so is a definition, whose URL a cut before it moves
// after the ellipsis. Before, a reference link was no link to the
// reader: a cut fell between alpha and omega, leaving its "[" shown as
// written.
func TestShortenReferenceLinkWhole(t *testing.T) {
	t.Parallel() // among the package's longest tests; it shares no state
	const after = " and more words after it\n\n"
	for _, s := range []string{
		"Intro [alpha\nomega][1]" + after + "[1]: https://x.example/a",
		"Intro [Alpha Omega][]" + after + "[alpha\n omega]: https://x.example/a \"Title\"",
		"Intro [alpha OMEGA and omega]" + after + "> [ALPHA omega and OMEGA]: <https://x.example/a>",
		"Intro ![alpha omega][img]" + after + "- [IMG]: https://x.example/a.png",
		"[alpha omega]: https://x.example/a\n\nIntro [alpha omega]" + after,
		"Intro [alpha\nomega](not a link)" + after + "[alpha omega]: https://x.example/a",
		"Intro [x][b]" + after + "[b]: https://x.example/a\n  'alpha omega'",
	} {
		assertLinkWhole(t, s)
	}
}

// TestShortenReferenceLinkUndefined: brackets with no definition of
// their label (CommonMark 0.31.2, 6.3), or with a "definition" that is
// none (4.7: one that does not start a paragraph, one with text after
// its title, one in a code block), are text, cut as any: a cut may fall
// between alpha and omega in every form.
func TestShortenReferenceLinkUndefined(t *testing.T) {
	const after = " and more words after it\n\n"
	for _, s := range []string{
		"Intro [alpha omega]" + after + "[alpha]: https://x.example/a",
		"Intro [alpha omega]" + after + "Words\n[alpha omega]: https://x.example/a",
		"Intro [alpha omega]" + after + "[alpha omega]: https://x.example/a \"t\" more",
		"Intro [alpha omega]" + after + "    [alpha omega]: https://x.example/a",
		"Intro [alpha omega][b]" + after + "[alpha omega]: https://x.example/a",
	} {
		assertCutBetween(t, s)
	}
}

// TestShortenReferenceAfterUnderline: a definition on the line after a
// setext heading's underline or a thematic break starts a paragraph
// (CommonMark 0.31.2, 4.1, 4.3, 4.7), so the link to it is kept whole.
// Before, that line went on the paragraph of the underline, the
// definition was none, and a cut fell between alpha and omega.
func TestShortenReferenceAfterUnderline(t *testing.T) {
	const after = " and more words after it\n\n"
	for _, s := range []string{
		"Intro [alpha omega]" + after + "Heading\n=======\n[alpha omega]: https://x.example/a",
		"Intro [alpha omega]" + after + "Heading\n-------\n[alpha omega]: https://x.example/a",
		"Intro [alpha omega]" + after + "***\n[alpha omega]: https://x.example/a",
	} {
		assertLinkWhole(t, s)
	}
}

// TestShortenReferenceWithoutItsDefinition: a reference link kept by a
// cut that leaves its definition out is written as the inline link it is,
// or as its text alone when its URL cannot fit. Before, it showed as
// written, "[status page][1]", its URL moved after the ellipsis.
func TestShortenReferenceWithoutItsDefinition(t *testing.T) {
	s := "See [status page][1] and more words after it to cut here\n\n[1]: https://x.example/1"
	assert.Equal(t, "See [status page](https://x.example/1) and more words after…", templates.Shorten(s, 60, templates.Runes))
	assert.Equal(t, "See status page and…", templates.Shorten(s, 20, templates.Runes))
}

// TestShortenReferenceInCodeAsWritten: brackets in a code span, a fenced
// or indented code block or an HTML block are no reference link
// (CommonMark 0.31.2, 4.4 to 4.6, 6.1), so a cut that leaves the
// definition of their label out writes them as they are. Before, such
// "[1]" was written as an inline link, "`code [1](https://x.example/1)
// here`", changing the code, and its URL was not moved after the ellipsis.
func TestShortenReferenceInCodeAsWritten(t *testing.T) {
	const after = " and more words after it to cut here\n\n[1]: https://x.example/1"
	for _, c := range []struct{ s, want string }{
		{"See `code [1] here`" + after, "See `code [1] here` and more words after it to… https://x.example/1"},
		{"See\n\n```\ncode [1] here\n```\n\nWords" + after, "See\n\n```\ncode [1] here\n```\n\nWords and more words… https://x.example/1"},
		{"See\n\n    code [1] here\n\nWords" + after, "See\n\n    code [1] here\n\nWords and more words… https://x.example/1"},
		{"See\n\n<div>\ncode [1] here\n</div>\n\nWords" + after, "See\n\n<div>\ncode [1] here\n</div>\n\nWords and more… https://x.example/1"},
	} {
		assert.Equal(t, c.want, templates.Shorten(c.s, 70, templates.Runes), c.s)
	}
}

// TestShortenReferenceInLinkWithoutItsDefinition: a reference image in
// the text of a link ("[![graph][img]](https://…)", "[![graph][img]][1]")
// kept by a cut that leaves the image's definition out is written as the
// inline image it is, as one outside a link is. Before, it showed as
// written, "![graph][img]", brackets and all: the link reader kept no
// link in another's text.
func TestShortenReferenceInLinkWithoutItsDefinition(t *testing.T) {
	const after = " and more words after it to cut here\n\n[img]: https://x.example/3.png\n[1]: https://x.example/1"
	for _, c := range []struct{ s, want string }{
		{"See [![graph][img]](https://x.example/7)" + after, "See [![graph](https://x.example/3.png)](https://x.example/7) and more words… https://x.example/1"},
		{"See [![graph][img]][1]" + after, "See [![graph](https://x.example/3.png)](https://x.example/1) and more words after it to cut here…"},
		{"See [![img]][1]" + after, "See [![img](https://x.example/3.png)](https://x.example/1) and more words after it to cut here…"},
	} {
		assert.Equal(t, c.want, templates.Shorten(c.s, 100, templates.Runes), c.s)
	}
}

// TestShortenReferenceLinksEachDecided: of two reference links kept
// without their definitions, one whose inline form fits and one whose URL
// cannot fit, each is written as decided at the first cut that keeps it,
// as RenderFit writes them: the first inline, the second as its text
// alone. Before, Shorten wrote both as their text alone once the second
// was kept, dropping the first one's URL ("See status page and the
// incident timeline for all of the details and…" at 70), and a first
// link whose URL fit
// after a lone ellipsis, but not inline after the text before it, was
// left out with the text after it ("See…" at 30).
func TestShortenReferenceLinksEachDecided(t *testing.T) {
	s := "See [status page][1] and the [incident timeline][2] for all of the details and more words after them.\n\n" +
		"[2]: https://status.example.com/incidents/42/a/very/long/path/that/cannot/fit/at/all\n[1]: https://s.example/a"
	assert.Equal(t, "See [status page](https://s.example/a) and the incident timeline for…", templates.Shorten(s, 70, templates.Runes))
	assert.Equal(t, "See status page and the…", templates.Shorten(s, 30, templates.Runes))
}
