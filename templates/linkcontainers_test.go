package templates_test

import "testing"

// TestShortenLinkEndsAtCodeInItem: an indented code block (CommonMark
// 0.31.2, 4.4) is four columns past the text of the list item it is in
// (5.2: a list item's blocks are read after its text column), and a
// fenced one (4.5) in an item ends when a line leaves the item (5.2, 5.3:
// container blocks); its text is literal, no paragraph's, and a line
// after it that is not indented so starts a paragraph: a "[" in the code
// opens no link with a "](…)" after it (the link is none), nor opens an
// image around a link after it (the link is one), and a cut may fall
// between alpha and omega in every form. Before, the code was read as a
// paragraph that went on over the next line: the text between was kept
// or left out whole, and of "![x … [alpha](…/a) … omega](…/b)" the image
// to …/b was read, the link to …/a lost.
func TestShortenLinkEndsAtCodeInItem(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		"- Intro\n\n      code [alpha\n  " + rest,
		"1. Intro\n\n       code [alpha\n   " + rest,
		"- a\n  - Intro\n\n        code [alpha\n    " + rest,
		"> - Intro\n>\n>       code [alpha\n>   " + rest,
		"Intro\n\n    code [alpha\n" + rest,
		"- Intro\n\n      code ![x\n  see [alpha](https://x.example/b) and " + rest,
		"- ```\n  code [alpha\n" + rest,
	} {
		assertCutBetween(t, s)
	}
}

// TestShortenLinkEndsAtHTMLBlockInItem: an HTML block (CommonMark 0.31.2,
// 4.6) starts in a list item as at the top level, after the item's text
// column (5.2), and but for its seventh kind it interrupts a paragraph;
// its text is no paragraph's, and one of the first five kinds ends at
// the line that holds its end ("-->", "?>", "</pre>"…), where the next
// paragraph starts: a "[" on one side opens no link with a "](…)" on the
// other, and a cut may fall between alpha and omega in every form.
// Before, the HTML was read as a paragraph's text and the link kept or
// left out whole.
func TestShortenLinkEndsAtHTMLBlockInItem(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		"- Intro [alpha\n  <div>\n  " + rest,
		"1. Intro [alpha\n   </table>\n   " + rest,
		"- Intro\n  <!-- [alpha -->\n  " + rest,
		"- <?php [alpha ?>\n  " + rest,
		"- a\n  - <pre>[alpha</pre>\n    " + rest,
		"- <!-- ![x -->\n  see [alpha](https://x.example/b) and " + rest,
		"Intro\n<!-- [alpha -->\n" + rest,
	} {
		assertCutBetween(t, s)
	}
}

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

// TestShortenLinkAfterEmptyItem: a list item can begin with at most one
// blank line (CommonMark 0.31.2, 5.2, example 280): one whose first line
// is blank after its marker ("-", "1.") ends at the next blank line, and
// a line after that is read outside it, where four columns of
// indentation make an indented code block whose "[" opens no link with a
// "](…)" on the next line: a cut may fall between alpha and omega in
// every form. Before, the blank line went on with the item, the line was
// read as a paragraph in it and the text between kept or left out whole.
// An item whose next line is not blank goes on over it, and a link there
// is one.
func TestShortenLinkAfterEmptyItem(t *testing.T) {
	const rest = "omega](https://x.example/a) and more words after it"
	for _, s := range []string{
		"-\n\n    [alpha\n" + rest,
		"1.\n\n    [alpha\n" + rest,
		"- a\n\n  -\n\n      [alpha\n" + rest,
		"> -\n>\n>     [alpha\n" + rest,
	} {
		assertCutBetween(t, s)
	}
	for _, s := range []string{
		"-\n    [alpha\n" + rest,
		"-\n  Intro\n\n  [alpha\n" + rest,
		"- a\n\n    [alpha\n" + rest,
	} {
		assertLinkWhole(t, s)
	}
}
