package templates_test

import "testing"

// TestShortenLinkSpaceOverContainerLine: the white space of an inline
// link after its "(", after its destination or after its title holds one
// line break (CommonMark 0.31.2, 6.3), and the next line of a paragraph
// in a block quote or a list item goes on past the ">" and the
// indentation of its containers (5.1, 5.2), or past fewer of them on a
// lazy line: a link over such a line is one, kept or left out whole in
// every form. Before, the ">" after the line break was read as the
// link's text (it is no destination, title nor ")"), no link was read
// and a cut fell between alpha and omega.
func TestShortenLinkSpaceOverContainerLine(t *testing.T) {
	t.Parallel() // among the package's longest tests; it shares no state
	const rest = " and more words after it"
	for _, s := range []string{
		"> [alpha omega](\n> https://x.example/a)" + rest,
		"> [alpha omega](https://x.example/a\n> \"t\")" + rest,
		"> [alpha omega](https://x.example/a\n> )" + rest,
		"> [alpha omega](https://x.example/a \"t\"\n> )" + rest,
		"> [alpha omega](https://x.example/a\n> \"t\n> u\")" + rest,
		"> [alpha omega](https://x.example/a \"t\n> u\")" + rest,
		"> [alpha omega](\n> <https://x.example/a b>)" + rest,
		">\t[alpha omega](\n>\thttps://x.example/a)" + rest,
		">> [alpha omega](\n>> https://x.example/a)" + rest,
		">> [alpha omega](\n> https://x.example/a)" + rest,
		"> [alpha omega](\nhttps://x.example/a)" + rest,
		"> [alpha omega](\r\n> https://x.example/a)" + rest,
		"> [alpha omega](\r> https://x.example/a)" + rest,
		"- [alpha omega](\n  https://x.example/a)" + rest,
		"- > [alpha omega](\n  > https://x.example/a)" + rest,
		"> - [alpha omega](\n>   https://x.example/a\n>   \"t\")" + rest,
		"1. > [alpha omega](https://x.example/a\n   > \"t\")" + rest,
	} {
		assertLinkWhole(t, s)
	}
}

// TestShortenLinkSpaceEndsWithParagraph: the line break in a link's white
// space is one of its paragraph: a blank line, a ">" alone in a block
// quote, or a line that starts another block (an HTML block, a code
// fence, a list item) ends the paragraph there, and with it the link
// (CommonMark 0.31.2, 4.1, 6.3), and so does a line break in a
// destination within "<" and ">", which holds none: nothing is read as a
// link, and a cut may fall between alpha and omega in every form.
// Before, the line break was passed whatever came after it, and
// "[alpha omega](\n<div>)" was read as a link to "div".
func TestShortenLinkSpaceEndsWithParagraph(t *testing.T) {
	const rest = " and more words after it"
	for _, s := range []string{
		"> [alpha omega](\n>\n> https://x.example/a)" + rest,
		"> [alpha omega](\n> - https://x.example/a)" + rest,
		"> [alpha omega](\n- https://x.example/a)" + rest,
		"[alpha omega](\n<div>)" + rest,
		"> [alpha omega](\n> <div>)" + rest,
		"- [alpha omega](\n  ```)" + rest,
		"> [alpha omega](<https://x.example/a\n> b>)" + rest,
		"[alpha omega](<https://x.example/a\nb>)" + rest,
	} {
		assertCutBetween(t, s)
	}
}
