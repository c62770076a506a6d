package twitter

import (
	"strings"
	"testing"
)

// TestDomainRunReadOnce checks that the domain search over a long run of
// host characters ending in a dot, as "-＠a-＠a…-＠a." (the template's
// closing full stop is enough), reads the run once: the check that the
// label before the top-level domain has no "_" read the whole rest of the
// run from each start in it, so that a body of 24,000 characters took a
// third of a second to weigh, four times as long for twice the text.
func TestDomainRunReadOnce(t *testing.T) {
	for _, n := range []int{1_000, 8_000} {
		s := strings.Repeat("-＠a", n) + "."
		u := newUnits(s)
		for p := range u.u {
			if e := u.domainAt(p); e != -1 {
				t.Fatalf("domainAt(%d) of %q… = %d, want -1", p, s[:12], e)
			}
		}
		if bound := 4 * len(u.u); u.steps > bound {
			t.Fatalf("the domain search over %d units took %d steps, want at most %d", len(u.u), u.steps, bound)
		}
	}
}

// TestDomainUnderscore checks the rule the search for "_" serves: "_" is
// allowed in a subdomain, not in the label before the top-level domain.
func TestDomainUnderscore(t *testing.T) {
	for s, want := range map[string]int{
		"a_b.example.com": len("a_b.example.com"),
		"a.b_c.com":       -1,
		"b_c.com":         -1,
		"_b.com":          -1,
		"x.b-c.com":       len("x.b-c.com"),
	} {
		if got := newUnits(s).domainAt(0); got != want {
			t.Errorf("domainAt(0) of %q = %d, want %d", s, got, want)
		}
	}
}
