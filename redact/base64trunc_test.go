package redact_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A response cut short inside the base64 of an echoed request ends in the
// start of the secret as the request wrote it (%-escaped, JSON-escaped,
// upper-cased): Truncated leaves that start out, as it does for the
// other encodings, and keeps the base64 before it.
func TestRedactorTruncatedEncodedFormInsideBase64(t *testing.T) {
	const secret = "s3cr3t-Pa/ss+word=x<y>&z-and-more-0123456789"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, c := range echoedRequests(t, secret) {
		at := strings.Index(c.req, c.form)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			for _, wrapped := range []bool{false, true} {
				blob := enc.EncodeToString([]byte(c.req + "&scope=all"))
				head := `{"body":"`
				if wrapped {
					blob, head = wrapAt76(blob), "Content-Transfer-Encoding: base64\r\n\r\n"
				}
				for n := range len(blob) + 1 {
					text := head + blob[:n]
					out := r.Truncated(text)
					if strings.Contains(out, redact.Redacted) {
						continue // the whole form: TestRedactorEncodedFormInsideBase64
					}
					if !assert.True(t, strings.HasPrefix(text, out), "%s: %q gave %q", name, text, out) {
						continue
					}
					run := strings.ReplaceAll(strings.TrimPrefix(out, head), "\r\n", "")
					d, _ := enc.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(run[:len(run)-len(run)%4], "="))
					assert.NotContains(t, string(d), c.form[:6], "%s: %q gave %q", name, text, out)
					if keep := 4*(at/3) - 4; len(strings.ReplaceAll(blob[:n], "\r\n", "")) >= keep {
						assert.GreaterOrEqual(t, len(run), keep, "%s: the base64 before the secret is kept, but for the start of another form: %q gave %q", name, text, out)
					}
				}
			}
		}
	}
}
