package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// longest finds the longest form at a place whatever the forms share: on
// random forms of a small alphabet, many of them prefixes of others, it
// answers as a look at every form does: one shorter than minFreeForm
// only where it stands apart.
func TestLongestIsTheLongestForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc-"[rng.IntN(4)]
		}
		return string(b)
	}
	for range 200 {
		seen := map[string]bool{}
		var forms []string
		for range 1 + rng.IntN(30) {
			if f := word(1 + rng.IntN(12)); !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
		m := newMatcher(forms, make([]bool, len(forms)), nil)
		text := word(rng.IntN(40))
		for i := range len(text) + 1 {
			want := ""
			for _, f := range forms {
				if strings.HasPrefix(text[i:], f) && len(f) > len(want) && (len(f) >= minFreeForm || apart(text, i, i+len(f))) {
					want = f
				}
			}
			got := ""
			if j := m.longest(text, i); j >= 0 {
				got = m.form(j)
			}
			if got != want {
				t.Fatalf("forms %q, at %q: got %q, want %q", forms, text[i:], got, want)
			}
		}
	}
}
