package templates_test

import "testing"

// TestShortenMovesDestinationNumericReferenceAsCommonMark: a numeric
// character reference in a destination moved after the ellipsis is read
// as CommonMark reads it (0.31.2, 2.5: "parsed as the corresponding
// Unicode character", an invalid code point and U+0000 as U+FFFD), not
// as HTML's tokenizer does, which maps &#128; to &#159; to Windows-1252's
// characters ("&#128;" as "€"). A control character so read (U+0080) is
// written percent-encoded, as a renderer writes it in the href, not
// invisible in the text. Before, "&#128;" moved as "€", a link to
// another page.
func TestShortenMovesDestinationNumericReferenceAsCommonMark(t *testing.T) {
	assertShortens(t, []shortenCase{
		{"See [a](https://x.example/a&#128;b)" + destWords, 33, "See… <https://x.example/a%C2%80b>"},
		{"See [a](https://x.example/a&#x9F;b)" + destWords, 33, "See… <https://x.example/a%C2%9Fb>"},
		{"See [a](https://x.example/a&#0;b)" + destWords, 28, "See a… https://x.example/a\uFFFDb"},
		{"See [a](https://x.example/a&#x110000;b)" + destWords, 28, "See a… https://x.example/a\uFFFDb"},
		{"See [a](https://x.example/a&#xD800;b)" + destWords, 28, "See a… https://x.example/a\uFFFDb"},
		{"See [a](https://x.example/a&#233;b)" + destWords, 28, "See a… https://x.example/aéb"},
	})
}
