package templates_test

import (
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// TestRenderFitMeasuresEachTextOnce: RenderFit measures each text it
// judges once, however many of its steps judge it (its estimate of the
// cut and the rendering that confirms it): a platform's measure, as X's
// weighting that finds the URLs of the text, costs more than the rest of
// a fitting. It counts the measures, not the time.
func TestRenderFitMeasuresEachTextOnce(t *testing.T) {
	inline := representative(broadcast.StatusInvestigating)
	inline.Body = strings.Repeat("See [status page](https://status.example.com/incidents/42) for it. ", 300)
	long := representative(broadcast.StatusInvestigating)
	long.Body = strings.Repeat("We are investigating elevated error rates on the CDN. ", 400)
	for _, tc := range []struct {
		name  string
		u     broadcast.Update
		tmpl  string
		limit int
	}{
		{"inline links", inline, "short", 280},
		{"inline links markdown", inline, "markdown", 2000},
		{"long body", long, "short", 280},
		{"components", manyComponents(300), "short", 280},
	} {
		seen := map[string]int{}
		m := func(s string) int { seen[s]++; return weighted(s) }
		if _, err := templates.Default().RenderFit(tc.tmpl, tc.u, tc.limit, m); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for s, n := range seen {
			if n > 1 {
				t.Errorf("%s: measured %d times: %.40q…", tc.name, n, s)
			}
		}
	}
}
