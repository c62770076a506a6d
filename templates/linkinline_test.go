package templates_test

import "testing"

// TestShortenLinkOverInlineHTML: inline raw HTML (CommonMark 0.31.2,
// 6.6), an open or closing tag, a comment, a processing instruction, a
// declaration or a CDATA section, is read as CommonMark reads it: a "]("
// in it ends no link, and the link runs to the next one, kept or left
// out whole. Before, the link was ended at the first, and a cut fell
// between alpha and omega.
func TestShortenLinkOverInlineHTML(t *testing.T) {
	t.Parallel() // among the package's longest tests; it shares no state
	const rest = " omega](https://x.example/b) and more words after it"
	for _, s := range []string{
		"[alpha <!X ](https://x.example/a) b>" + rest,
		"[alpha <!x ](https://x.example/a) b>" + rest,
		"[alpha <!-- ](https://x.example/a) -->" + rest,
		"[alpha <? ](https://x.example/a) ?>" + rest,
		"[alpha <![CDATA[ ](https://x.example/a) ]]>" + rest,
		"[alpha <span title=\"](https://x.example/a)\">" + rest,
		"[alpha <a\nhref=' ](https://x.example/a) '/>" + rest,
		"> [alpha <!--\n> ](https://x.example/a) -->" + rest,
		"[alpha <span title=\"`\">` ](https://x.example/a)`" + rest,
	} {
		assertLinkWhole(t, s)
	}
	// Not raw HTML: the first "](" ends the link. "<!x" opens a
	// declaration in 0.31.2, as in commonmark.js 0.31.1; readers of 0.30
	// (goldmark) read it as text, and the link ends at the first "](":
	// kept whole with the rest, it is still not cut.
	for _, s := range []string{
		"[alpha <! x ](https://x.example/a) b>" + rest,
		"[alpha <span ](https://x.example/a)>" + rest,
		"[alpha </a b> ](https://x.example/a)" + rest,
		"[alpha <!--\n\n ](https://x.example/a) -->" + rest,
		"[alpha `<span title=\"` ](https://x.example/a) `\">" + rest,
	} {
		assertCutBetween(t, s)
	}
}
