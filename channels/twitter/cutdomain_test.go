package twitter

import (
	"slices"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A shortened post links no domain its text did not: a cut inside a domain
// name without a scheme, "api.cloud.examp…", is one X links as far as it
// names a domain, api.cloud, someone else's.
func TestCutLinksNoOtherDomain(t *testing.T) {
	const text = "Status: api.cloud.example.com down and more words here"
	links := func(s string) []string {
		var out []string
		for _, u := range findURLs(s) {
			out = append(out, u.link(s))
		}
		return out
	}
	want := links(text)
	check := func(how, out string) {
		t.Helper()
		for _, l := range links(out) {
			if !slices.Contains(want, l) {
				t.Errorf("%s = %q links %q, which the text does not", how, out, l)
			}
		}
	}
	for limit := 10; limit <= 60; limit++ {
		check("Shorten", templates.Shorten(text, limit, Weight))
	}
	u := broadcast.Update{ID: "u", Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: text}
	for limit := 30; limit <= 90; limit++ {
		out, err := templates.Default().RenderFit("short", u, limit, Weight)
		if err != nil {
			t.Fatal(err)
		}
		check("RenderFit", out)
	}
}
