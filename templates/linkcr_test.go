package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/templates"
)

// TestShortenCRBlankLine: a blank line between lines that end in a lone
// CR ("\r\r") ends a paragraph, as CommonMark reads a CR alone as a line
// ending (0.31.2, 2.1), as "\n\n" and "\r\n\r\n" do: no link spans it,
// nor does a link's title. Before, "[one\r\rtwo …](https://…)" was read
// as one link, kept or left out whole, where the same text with "\n\n"
// is cut in its second paragraph.
func TestShortenCRBlankLine(t *testing.T) {
	for _, s := range []string{
		"Words [one\n\ntwo three four five six seven](https://x.example/a) end of it",
		"Words [one](https://x.example/a \"two\n\nthree four five six\") end of it",
		"Words [one\n \ntwo three four five six seven](https://x.example/a) end of it",
	} {
		for _, eol := range []string{"\r", "\r\n"} {
			other := strings.ReplaceAll(s, "\n", eol)
			for limit := 1; limit <= len(s); limit++ {
				want := strings.ReplaceAll(templates.Shorten(s, limit, lineBreaks), "\n", eol)
				assert.Equal(t, want, templates.Shorten(other, limit, lineBreaks), "%q at %d", other, limit)
			}
		}
	}
}

// lineBreaks measures runes, a CR LF as one: a text measures the same
// whichever line breaks it has.
func lineBreaks(s string) int { return templates.Runes(s) - strings.Count(s, "\r\n") }
