package twitter

import (
	"strings"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// BenchmarkRenderFitInlineLinks fits an update whose body has 300
// sentences with an inline link each (~21,000 characters, as the
// templates' BenchmarkRenderFit "inline links") to a post, measured as
// the channel measures its text: Weight, with the mentions broken.
func BenchmarkRenderFitInlineLinks(b *testing.B) {
	u := broadcast.Update{
		Title:  "Elevated CDN error rates",
		Status: broadcast.StatusInvestigating,
		Impact: broadcast.ImpactMajor,
		Body:   strings.Repeat("See [status page](https://status.example.com/incidents/42) for it. ", 300),
		Components: []broadcast.Component{
			{Name: "CDN", Status: broadcast.ComponentMajorOutage},
			{Name: "API", Status: broadcast.ComponentDegraded},
		},
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2025, 11, 24, 13, 45, 0, 0, time.UTC),
		NextUpdate: time.Date(2025, 11, 24, 14, 30, 0, 0, time.UTC),
	}
	set := templates.Default()
	measure := func(s string) int { return Weight(quietMentions(s)) } // as Channel.text
	b.ReportAllocs()
	for b.Loop() {
		if _, err := set.RenderFit("short", u, MaxWeight, measure); err != nil {
			b.Fatal(err)
		}
	}
}
