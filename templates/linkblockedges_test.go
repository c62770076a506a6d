package templates_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenLinkAtLiteralBlockEdges: where a code or HTML block ends
// (CommonMark 0.31.2, 4.4 to 4.6, 5.1 to 5.3), checked against a
// CommonMark reader: a fence no line closes runs to the end of the text
// and a "[" before it opens no link with a "](…)" in it; a fence in a
// list item ends with the item, in a block quote with the quote; a
// "<pre>" block ends at "</PRE>" in any case; an HTML block of the seventh
// kind ("<span>" alone) does not interrupt a paragraph, so a link over it
// is one.
func TestShortenLinkAtLiteralBlockEdges(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		"Intro [alpha\n```\n" + rest,
		"Intro [alpha\n~~~~ info\n" + rest + "\n~~~",
		"- ```\n  code [alpha\n- " + rest,
		"> ```\n> code [alpha\n\n" + rest,
		"> - ```\n>   code [alpha\n> " + rest,
		"<PRE>\n[alpha\n</pre>\n" + rest,
		"- <Script>\n  [alpha </SCRIPT>\n  " + rest,
	} {
		assertCutBetween(t, s)
	}
	for _, s := range []string{
		"Intro [alpha\n<span>\n" + rest,
		"- Intro [alpha\n  </a>\n  " + rest,
		"> Intro [alpha\n> <x-y/>\n" + rest,
	} {
		assertLinkWhole(t, s)
	}
}

// TestShortenLinkPastNestingCap: past the 32 block quotes and list items
// the link reader follows, the markers of deeper ones are read as the
// innermost's text on every line of a paragraph, as on its first: a link
// over lines of a paragraph 40 block quotes deep is kept
// or left out whole in every form. Before, the second line's 33rd ">"
// was read as a block quote that ended the paragraph, and a cut fell
// between alpha and omega.
func TestShortenLinkPastNestingCap(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		strings.Repeat("> ", 40) + "Intro [alpha\n" + strings.Repeat("> ", 40) + rest,
		strings.Repeat(">", 40) + " Intro [alpha\n" + strings.Repeat(">", 40) + " " + rest,
	} {
		assertLinkWhole(t, s)
	}
}

// deepTexts are texts of the shapes the link reader follows from line to
// line, deep or long, with no end to their blocks: block quotes and list
// items nested far past the 32 the reader follows, code fences and HTML
// blocks that nothing closes, lines of nothing but tabs and markers, and
// a paragraph of inline raw HTML that nothing closes.
func deepTexts(n int) map[string]string {
	return map[string]string{
		"quotes":     strings.Repeat("> ", n) + "[a\n" + strings.Repeat(">", n) + " b](https://x.example/a) c",
		"items":      strings.Repeat("- ", n) + "[a\n" + strings.Repeat(" ", 2*n) + "b](https://x.example/a) c",
		"nested":     strings.Repeat("> - 1. ", n/3) + "[a\n" + strings.Repeat(">   ", n/3) + "b](https://x.example/a) c",
		"fences":     strings.Repeat("```\n[a](", n),
		"fencesDesc": descendingFences(n),
		"html":       strings.Repeat("<!--\n<pre>\n<?\n<!X\n<![CDATA[\n<div>\n[a](", n),
		"itemHTML":   strings.Repeat("- <!--\n  <pre>\n  [a](u\n", n),
		"tabs":       strings.Repeat("\t>\t-\t1.\t", n) + "[a\n" + strings.Repeat("\t", n) + "b](u)",
		"tabLines":   strings.Repeat(">\t-\t\t[\n", n),
		"rawHTML":    strings.Repeat("<!-- <? <![CDATA[ <!X <a b=\" <a b=' [a](", n),
		"deepCode":   strings.Repeat("> - ", 31) + "x\n\n" + strings.Repeat(strings.Repeat(">   ", 31)+"     code [a\n", n),
	}
}

func descendingFences(n int) string {
	var b strings.Builder
	for i := n; i > 0; i-- {
		b.WriteString(strings.Repeat("`", 3+i%50) + "\n[a](u\n")
	}
	return b.String()
}

// TestShortenDeepBlocks: the link reader follows a text of a thousand
// nested block quotes or list items, and of fences and HTML blocks that
// no line closes, to its end: Shorten neither panics nor returns more
// than the limit, and the kept text is a prefix of the text.
func TestShortenDeepBlocks(t *testing.T) {
	for name, s := range deepTexts(1000) {
		for _, limit := range []int{1, 20, len(s) / 2, len(s) - 1} {
			got := templates.Shorten(s, limit, templates.Bytes)
			assert.LessOrEqual(t, len(got), limit, "%s at %d", name, limit)
			kept, _, _ := strings.Cut(got, templates.Ellipsis)
			assert.True(t, templates.KeptPrefix(s, strings.TrimRight(kept, " ")), "%s at %d: %q is no prefix", name, limit, kept)
		}
	}
}

// BenchmarkShortenDeepBlocks measures Shorten on deepTexts of growing
// size: the time per byte should not grow with the size.
func BenchmarkShortenDeepBlocks(b *testing.B) {
	for _, n := range []int{1 << 10, 1 << 13} {
		for name, s := range deepTexts(n) {
			b.Run(name+"/"+strconv.Itoa(len(s)), func(b *testing.B) {
				b.SetBytes(int64(len(s)))
				for b.Loop() {
					templates.Shorten(s, len(s)/2, templates.Bytes)
				}
			})
		}
	}
}
