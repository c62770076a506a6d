package config

import (
	"math/rand/v2"
	"net/url"
	"testing"
)

// Text plainHostless takes is text url.Parse takes as a URL of no scheme
// and no host: secretParts and buildURL, which do not parse it, give what
// they gave parsing it.
func TestPlainHostlessParsesWithoutHost(t *testing.T) {
	samples := []string{"", "a", "*", "?", "#", "a?b#c", "ops-channel", "a/b/c", "/a", "?a=b&c=d", "a b", "é/ü",
		"hooks.example.com/T0/B0/xyz", "a#b#c", "a?", "a??b", "[::1]", "[a]", "/a/../b", ".", "..", "@", "user@host", "a@b/c"}
	chars := []byte("a/?#@[]:%.*& \x00\x7f\t=+é")
	r := rand.New(rand.NewPCG(1, 2))
	for range 50000 {
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
		}
		samples = append(samples, string(b))
	}
	took := 0
	for _, raw := range samples {
		if !plainHostless(raw) {
			continue
		}
		took++
		p, err := url.Parse(raw)
		if err != nil || p.Host != "" || p.Scheme != "" {
			t.Fatalf("plainHostless(%q): url.Parse gives scheme %q, host %q, error %v", raw, p.Scheme, p.Host, err)
		}
	}
	if took < 1000 {
		t.Fatalf("plainHostless took %d texts only", took)
	}
}
