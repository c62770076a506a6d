package templates

import (
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// TestRenderFitReadsMarkupNearTheCut: fitting a long body of links to a
// short post reads the body's markup about as far as the cut, not all of
// it: a body of 300 paragraphs, each with an inline link, cut to 280
// characters reads a few of its paragraphs. It counts the reads, not the
// time.
func TestRenderFitReadsMarkupNearTheCut(t *testing.T) {
	u := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating,
		Body: strings.Repeat("See [status page](https://status.example.com/incidents/42) for it.\n\n", 300),
		URL:  "https://status.example.com/incidents/42"}
	for _, name := range []string{"short", "markdown"} {
		reads := 0
		read := paragraphAt
		paragraphAt = func(s string, i int, open para) (para, int) { reads++; return read(s, i, open) }
		out, err := Default().RenderFit(name, u, 280, Runes)
		paragraphAt = read
		if err != nil || Runes(out) > 280 {
			t.Fatalf("%s: RenderFit = %q, %v", name, out, err)
		}
		if reads > 30 {
			t.Errorf("%s: %d paragraphs read to keep a few of 300", name, reads)
		}
	}
}
