package templates

import "regexp"

// inlineLinkRE finds the inline links and images of the texts the
// tests cut: "[text](destination)", "![alt](<destination>)", with a title.
var inlineLinkRE = regexp.MustCompile(`!?\[((?:\\.|[^\[\]\\])*)\]\((?:<[^<>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"]*")?\)`)

// asLinkText returns s with each inline link or image written as its
// text alone, as a cut may write one (see cutter.decided).
func asLinkText(s string) string { return inlineLinkRE.ReplaceAllString(s, "$1") }

// keptPrefix reports whether head, the text a cut kept, is a prefix of s,
// or is one with the inline links and images of both written as their
// text alone.
func keptPrefix(s, head string) bool {
	return len(head) <= len(s) && s[:len(head)] == head || len(asLinkText(head)) <= len(asLinkText(s)) && asLinkText(s)[:len(asLinkText(head))] == asLinkText(head)
}

// KeptPrefix is keptPrefix, for the tests of package templates_test.
var KeptPrefix = keptPrefix

// keptURLSpans returns the spans of the URLs of s read as plain text as
// Shorten and RenderFit keep them whole (see keptRune): the one
// definition the tests of their promises use.
func keptURLSpans(s string) [][]int {
	var spans [][]int
	for pos := 0; ; {
		start, end, ok := nextURL(s, pos, keptRune)
		if !ok {
			return spans
		}
		spans = append(spans, []int{start, end})
		pos = end
	}
}

// KeptURLSpans is keptURLSpans, for the tests of package templates_test.
var KeptURLSpans = keptURLSpans
