package twitter

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A shortened post links no domain its text did not: a cut inside a domain
// name without a scheme, "api.cloud.examp…", is one X links as far as it
// names a domain, api.cloud, someone else's.
func TestCutLinksNoOtherDomain(t *testing.T) {
	for _, text := range []string{
		"Status: api.cloud.example.com down and more words here",
		// X links "path-" with its "-", and "path…" is another page.
		"Status: status.example.com/incidents/cdn- down and more words here",
		"Status: bücher-beispiel-sehr-länger.example.com/pfad- down and more words here",
	} {
		checkCutLinks(t, text)
	}
}

func checkCutLinks(t *testing.T, text string) {
	t.Helper()
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

// A longer limit never gives a shorter post. X weighs a domain 23 whatever
// its length, so a cut inside the first label of a long one,
// "averyveryverylongsubdomainname.exa…" cut before its dot, would weigh
// more than the whole: RenderFit once kept that cut at a limit one higher
// than one that fitted the whole domain and the words after it.
func TestCutGrowsWithLimit(t *testing.T) {
	texts := []string{
		"example.com 😀 averyveryverylongsubdomainname.example.com example.com. foo.bar example.comは",
		"api.cloud.example.com a abcdefghijklmnopqrstuvwxyzabcdefghij.com example.com #tag averyveryverylongsubdomainname.example.com",
		"status.example.org/incidents/42 averyveryverylongsubdomainname.example.com (example.com) example.com.",
		"averyveryverylongsubdomainname.example.com is down and more text here, a lot more text follows",
		// A letter outside ASCII in the first label, as in an
		// internationalized domain name, and a link ending in "-".
		"bücher-beispiel-sehr-länger-als-lang.example.com ist nicht erreichbar, weitere Worte folgen hier",
		"see status.example.com/incidents/cdn- then status.example.com/a-b-- and more words here",
	}
	kept := func(s string) int { return utf8.RuneCountInString(strings.ReplaceAll(s, templates.Ellipsis, "")) }
	for _, text := range texts {
		u := broadcast.Update{ID: "u", Title: "CDN", Status: broadcast.StatusInvestigating, Body: text}
		for how, cut := range map[string]func(limit int) (string, error){
			"Shorten": func(limit int) (string, error) { return templates.Shorten(text, limit, Weight), nil },
			"RenderFit": func(limit int) (string, error) {
				return templates.Default().RenderFit("short", u, limit, Weight)
			},
		} {
			longest := ""
			for limit := 3; limit <= Weight(text)+40; limit++ {
				out, err := cut(limit)
				if err != nil {
					continue // the status line alone does not fit
				}
				if w := Weight(out); w > limit {
					t.Fatalf("%s(%d) = %q weighs %d", how, limit, out, w)
				}
				if kept(out) < kept(longest) {
					t.Errorf("%s(%d) = %q, shorter than %q at a lower limit", how, limit, out, longest)
					break
				}
				longest = out
			}
		}
	}
}
