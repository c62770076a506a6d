package templates_test

import "testing"

// TestShortenMovesDestinationAsItsURL: a link's destination moved after
// the ellipsis is the URL the link points to, its backslash escapes and
// character references read as CommonMark reads them in a destination
// (0.31.2, 2.4, 2.5, 6.3: "\)" is ")", "&amp;" is "&"), and written so
// that it reads back as that URL: bare where every channel links it
// whole, else as an autolink, "<…>", in which backslash escapes do not
// work (6.5), an "&" that would start a character reference written
// "&amp;", and a space "%20", as a renderer writes the link's href.
// Before, the escape moved as written, "<https://x.example/a\)b.>",
// which links https://x.example/a%5C)b., and "&amp;" stayed in the URL.
// An autolink's URL reads its character references but no escape.
func TestShortenMovesDestinationAsItsURL(t *testing.T) {
	assertShortens(t, []shortenCase{
		{`See [a](https://x.example/a\)b.)` + destWords, 30, "See… <https://x.example/a)b.>"},
		{`See [a](https://x.example/a\_b.)` + destWords, 30, "See… <https://x.example/a_b.>"},
		{`See [a](https://x.example/a\_b)` + destWords, 30, "See a… https://x.example/a_b"},
		{`See [a](https://x.example/?a=1&amp;b=2)` + destWords, 34, "See a… https://x.example/?a=1&b=2"},
		{`Some words before the link [a](https://x.example/?a=1&amp;amp;b=2) and more words after it`, 50, "Some words… <https://x.example/?a=1&amp;amp;b=2>"},
		{`Some words before the link [a](https://x.example/a&notit;b) and more words after it`, 46, "Some words… <https://x.example/a&amp;notit;b>"},
		{`See [a](<https://x.example/a\>b>)` + destWords, 32, "See a… <https://x.example/a%3Eb>"},
		{"See [a][1]" + destWords + "\n\n[1]: https://x.example/a\\)b.", 30, "See… <https://x.example/a)b.>"},
		{"Some words and more words after it <https://x.example/a&amp;b>", 34, "Some words… https://x.example/a&b"},
		{`Some words and more words after it <https://x.example/a\_b>`, 36, `Some words… <https://x.example/a\_b>`},
	})
}

// TestShortenMovesQuotedDestinationWhole: a destination holding '"' is,
// by CommonMark (0.31.2, 6.3: a link destination is "a nonempty sequence
// of characters that does not start with <, does not include ASCII
// control characters or space character, and includes parentheses only
// if ... balanced"), the whole run up to the white space before a title
// or the ")" that closes the link: "https://x.example/a\"b" is one
// destination, and a title, "title", after white space is none of it.
// Moved after the ellipsis, it moves whole, as an autolink (a '"' ends a
// URL in text, see URLSpans), without the title; so does one within
// "<" and ">" holding a space, written "%20". Before, only
// "https://x.example/a" moved, another page.
func TestShortenMovesQuotedDestinationWhole(t *testing.T) {
	assertShortens(t, []shortenCase{
		{`See [a](https://x.example/a"b)` + destWords, 30, `See a… <https://x.example/a"b>`},
		{`See [a](https://x.example/a"b "title")` + destWords, 30, `See a… <https://x.example/a"b>`},
		{`See ![a](https://x.example/a"b.png)` + destWords, 34, `See a… <https://x.example/a"b.png>`},
		{`See [a](https://x.example/a "title")` + destWords, 30, "See a for… https://x.example/a"},
		{`See [a](<https://x.example/a b>)` + destWords, 32, "See a… <https://x.example/a%20b>"},
		{"See [a][1]" + destWords + "\n\n[1]: https://x.example/a\"b", 30, `See a… <https://x.example/a"b>`},
	})
}
