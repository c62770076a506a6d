package redact_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A secret that holds what reads as a JSON escape or a %-escape ("\n",
// "\u0041", "%41": a backslash or a percent sign in a random password) is
// found also where it is written with character references or with every
// byte %-escaped: the decoders that ran after the one that brought it back
// read its own characters as escapes, and it was looked for only in what
// they all left. Truncated leaves out its start so written too.
func TestRedactorSecretHoldingEscapes(t *testing.T) {
	each := func(s, format string) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			fmt.Fprintf(&b, format, c)
		}
		return b.String()
	}
	for _, secret := range []string{`p%41ss\nword`, `x\u0041y-secret`, `a\b"c-d7e`, `k%2525v-9\/z`} {
		r := redact.NewRedactor(redact.NewSecret(secret))
		for name, form := range map[string]string{
			"decimal references": each(secret, "&#%d;"),
			"hex references":     each(secret, "&#x%x;"),
			"every byte escaped": each(secret, "%%%02x"),
			"and again":          each(each(secret, "%%%02X"), "%%%02x"),
		} {
			text := "refused " + form + " here"
			assert.Equal(t, "refused REDACTED here", r.String(text), "%q %s", secret, name)
			assert.True(t, r.Holds(text), "%q %s", secret, name)
			for k := 1; k < len(form) && name != "and again"; k++ {
				out := r.Truncated("refused " + form[:k])
				assert.True(t, out == "refused " || out == "refused &" || out == "refused %" || strings.HasSuffix(out, redact.Redacted),
					"%q %s cut at %d: %q", secret, name, k, out)
			}
		}
	}
}
