package templates_test

import (
	"testing"

	"github.com/outagecast/outagecast/templates"
)

// LinkSpansWhole runs on every Send of several channels (IRC on each line
// of each fitting, Slack on each measure of its section) with the
// update's URL, which most texts show once or not at all: where s does
// not show it, it costs no allocation beyond LinkSpans'.
func TestLinkSpansWholeAllocatesNothingMoreWhereTheURLIsNotShown(t *testing.T) {
	const url = "https://status.example.com/incidents/42."
	for _, s := range []string{
		"We are investigating elevated error rates on the CDN.",
		"Rolled back; see https://example.com/faq. for what to do.",
	} {
		base := testing.AllocsPerRun(50, func() { templates.LinkSpans(s) })
		for _, whole := range [][]string{nil, {""}, {url}, {url, "https://status.example.com/"}} {
			got := testing.AllocsPerRun(50, func() { templates.LinkSpansWhole(s, whole...) })
			if got != base {
				t.Errorf("LinkSpansWhole(%q, %q): %v allocations, LinkSpans %v", s, whole, got, base)
			}
		}
	}
}
