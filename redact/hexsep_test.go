package redact_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A secret's hex bytes right after a byte written with another separator
// ("0a-73 33 63 …", "0d:0a 73 33 …") are read from the secret's first
// byte: the run of the other separator ends on the byte they share.
func TestRedactorHexBytesAfterOtherSeparator(t *testing.T) {
	const secret = "s3cret-token-0123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, sep := range []string{" ", ":", "-"} {
		for _, before := range []string{" ", ":", "-"} {
			if before == sep {
				continue
			}
			for _, lead := range []string{"0a", "0d" + before + "0a"} {
				text := "got " + lead + before + spaced(secret, sep, false) + " end"
				out := r.String(text)
				assert.NotContains(t, out, spaced(secret[1:7], sep, false), "%q", out)
				assert.NotContains(t, out, spaced(secret[:2], sep, false), "%q", out)
				assert.True(t, strings.HasPrefix(out, "got "+lead), "%q", out)
				assert.True(t, r.Holds(text), text)
				cut := "got " + lead + before + spaced(secret[:4], sep, false)
				assert.NotContains(t, r.Truncated(cut), spaced(secret[:2], sep, false), "%q", cut)
			}
		}
	}
}
