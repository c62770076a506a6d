package redact_test

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A form written in hex without separators, whole, then a byte or two
// more that a cut ends in: read from the run's second digit, the last
// bytes may be the start of a form, which starts at the second digit of
// the form's last byte. Truncated cuts that start but still replaces the
// form found whole before it: none of its hex shows, whatever follows it
// (each byte, cut after its first digit or its second; then another),
// in lower- or upper-case hex, alone or on an xxd -p line.
func TestRedactorTruncatedHexFormBeforeStart(t *testing.T) {
	const secret = "s3cr3t/Pa+ss=word/0123"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, form := range []string{secret, url.QueryEscape(secret)} {
		for _, upper := range []bool{false, true} {
			h := hex.EncodeToString([]byte(form))
			if upper {
				h = strings.ToUpper(h)
			}
			for b := range 256 {
				for _, next := range []string{"", "3", "33", "3d", "7a"} {
					tail := hex.EncodeToString([]byte{byte(b)}) + next
					if upper {
						tail = strings.ToUpper(tail)
					}
					for n := 1; n <= len(tail); n++ {
						for _, before := range []string{"got ", "dump:\n0a0b0c"} {
							s := before + h + tail[:n]
							out := r.Truncated(s)
							assert.NotContains(t, out, h[:len(h)-2], "%q gave %q", s, out)
						}
					}
				}
			}
		}
	}
}
