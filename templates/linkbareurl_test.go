package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestShortenLinkInBareURL: a bare URL runs to the next white space, as
// URLSpans reads it and as GitHub Flavored Markdown's extended autolinks
// and X read it, "[" included; CommonMark, which links no bare URL, reads
// a link that starts inside it ("…/a)[alpha\n](https://x.example/c)").
// The two join: no cut falls inside the URL nor inside the link, so that
// what shows of the link, cut, is never "[alpha" without its end. Before,
// the link was ignored and a cut fell after "alpha".
func TestShortenLinkInBareURL(t *testing.T) {
	for _, s := range []string{
		"x](https://x.example/a)[alpha\n](https://x.example/c)",
		"See https://x.example/a[alpha\nmore](https://x.example/c) and more words after it",
		"See https://x.example/a![alpha\nmore](https://x.example/c) and more words after it",
	} {
		for form, outs := range cutForms(t, s) {
			for _, out := range outs {
				head, _, _ := strings.Cut(out, "…")
				if strings.Contains(head, "alpha") && !assert.Contains(t, head, "x.example/c", "%s of %q: the link cut", form, s) {
					break
				}
			}
		}
	}
}
