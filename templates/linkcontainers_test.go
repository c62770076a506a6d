package templates_test

import "testing"

// TestShortenLinkInQuoteInItem: a block quote inside a list item ("- >
// …", CommonMark 0.31.2, 5.1, 5.2) goes on over a line indented to the
// item's text with its ">" again, and its paragraph over a lazy line: a
// link over such lines is one, kept or left out whole in every form.
// Before, the ">" after the item's marker was read as the paragraph's
// text, so the next line's ">" was taken for a deeper block quote that
// ended the paragraph, and a cut fell between alpha and omega.
func TestShortenLinkInQuoteInItem(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		"- > Intro [alpha\n  > " + rest,
		"1. > Intro [alpha\n   > " + rest,
		"> - > Intro [alpha\n>   > " + rest,
		"- > Intro [alpha\n  > beta\n" + rest,
		"- a\n  - > Intro [alpha\n    > " + rest,
	} {
		assertLinkWhole(t, s)
	}
}

// TestShortenLinkEndsAtItemPastFirstLine: a paragraph whose first line
// starts no list item (one after a blank line in an item, nested one or
// more levels) is in the items whose text columns the line reaches
// (CommonMark 0.31.2, 5.2, 5.3), and a line in them starts blocks there:
// a list item or a heading indented to the innermost item's text
// interrupts the paragraph, a "[" before it opens no link with a "](…)"
// after it, and a cut may fall between alpha and omega in every form.
// Before, such a paragraph's items were not known, the line's
// indentation was counted from the line's start, and four columns of it
// made the line the paragraph's.
func TestShortenLinkEndsAtItemPastFirstLine(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		"- a\n\n  Intro [alpha\n    - " + rest,
		"- a\n  - b\n\n    Intro [alpha\n      - " + rest,
		"- a\n  - b\n\n    Intro [alpha\n    # " + rest,
		"1. a\n   1. b\n\n      Intro [alpha\n      ``` \n" + rest,
	} {
		assertCutBetween(t, s)
	}
}
