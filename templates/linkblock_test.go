package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenLinkEndsAtBlock: a link's text is inline content of one
// paragraph, and a line that starts an ATX heading, a list item (an
// ordered one numbered 1, or any after a list item's line), a thematic
// break, a setext underline, a code fence or a block quote ends the
// paragraph before it, as a heading's line ends the heading (CommonMark
// 0.31.2, 4.1 to 4.5, 5.1, 5.2): a "[" before such a line opens no link
// with a "](…)" after it. Shorten cuts such a text as the same text with
// "{" for that "[", which opens nothing. Before, the "[" paired with the
// "](https://…)" of the next block: the text between was kept or left
// out whole, "Intro… https://x.example/a" where "Intro [see\n# Heading
// two…" fits.
func TestShortenLinkEndsAtBlock(t *testing.T) {
	for _, s := range []string{
		"Intro [see\n# Heading two three](https://x.example/a) and more words after it",
		"Intro [see\n## Heading two three](https://x.example/a) and more words after it",
		"Intro [see\n- item two three](https://x.example/a) and more words after it",
		"Intro [see\n  * item two three](https://x.example/a) and more words after it",
		"Intro [see\n1. item two three](https://x.example/a) and more words after it",
		"1. Intro [see\n2. item two three](https://x.example/a) and more words after it",
		"- Intro [see\n7) item two three](https://x.example/a) and more words after it",
		"# Intro [see\nwords two three](https://x.example/a) and more words after it",
		"Intro [see\n***\nwords two three](https://x.example/a) and more words after it",
		"Intro [see\n===\nwords two three](https://x.example/a) and more words after it",
		"Intro [see\n```\nwords two three](https://x.example/a) and more words after it",
		"Intro [see\n> words two three](https://x.example/a) and more words after it",
		"> Intro [see\n> # Heading two three](https://x.example/a) and more words after it",
		"Intro [see\r\n# Heading two three](https://x.example/a) and more words after it",
		"Intro [see\r# Heading two three](https://x.example/a) and more words after it",
		"Intro [see](https://x.example/a \"the\n# title\") and more words after it",
	} {
		plain := strings.Replace(s, "[", "{", 1)
		for limit := 1; limit <= len(s); limit++ {
			want := strings.Replace(templates.Shorten(plain, limit, templates.Runes), "{", "[", 1)
			assert.Equal(t, want, templates.Shorten(s, limit, templates.Runes), "%q at %d", s, limit)
		}
	}
}

// TestShortenLinkOverParagraphLines: a line that starts no block that
// interrupts a paragraph continues it, and a link over it is still kept
// or left out whole: "14." starts no list there (CommonMark 0.31.2, 5.2,
// example 304), "-foo" and "#5" are text, a line indented four spaces is
// no code block after a paragraph's line, a list item's paragraph goes on
// over a line indented to its text, and a block quote's over a line with
// its ">".
func TestShortenLinkOverParagraphLines(t *testing.T) {
	for _, s := range []string{
		"Intro [see\n14. two three](https://x.example/a) and more words after it",
		"Intro [see\n-foo two three](https://x.example/a) and more words after it",
		"Intro [see\n#5 two three](https://x.example/a) and more words after it",
		"Intro [see\n    # two three](https://x.example/a) and more words after it",
		"- Intro [see\n  two three](https://x.example/a) and more words after it",
		"> Intro [see\n> two three](https://x.example/a) and more words after it",
		"Intro [see\n-\u00a0two three](https://x.example/a) and more words after it",
	} {
		link := s[strings.Index(s, "[see"):strings.Index(s, " and more")]
		for limit := 1; limit <= len(s); limit++ {
			got := templates.Shorten(s, limit, templates.Runes)
			if strings.Contains(got, "[see") {
				assert.Contains(t, got, link, "%q at %d: a link cut", got, limit)
			}
		}
	}
}
