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

// BenchmarkWeight measures Weight alone on the texts it meets: a post with
// links as RenderFit measures it, the 21,000-character body of 300 inline
// links whole, a post without a link (no "." or ":"), and a post of CJK
// and emoji.
func BenchmarkWeight(b *testing.B) {
	cases := []struct{ name, text string }{
		{"post with links", "Investigating: Elevated CDN error rates — See [status page](https://status.example.com/incidents/42) for it. " +
			"See [status page](https://status.example.com/incidents/42) for it. See status page for it.… " +
			"Affected: CDN (Major outage), API (Degraded performance). Next update by 14:30 UTC. https://status.example.com/incidents/42"},
		{"21,000 characters, 300 links", strings.Repeat("See [status page](https://status.example.com/incidents/42) for it. ", 300)},
		{"post without links", strings.Repeat("We are investigating elevated error rates on the CDN, ", 5)},
		{"CJK and emoji", strings.Repeat("故人西辞黄鹤楼，烟花三月下扬州\U0001F637\U0001F468\u200D\U0001F469\u200D\U0001F467 ", 8)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Weight(c.text)
			}
		})
	}
}
