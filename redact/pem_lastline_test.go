package redact_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A PEM key's last line of base64, shorter than a line must be to be
// found alone (16 characters), is found with the lines around it: the
// line before it, and the END line after it, as a text quoting the end of
// the key without the lines before (a message cut at its start, the
// tail of a dump) shows it, with a line break, "\r\n" or escaped. Alone
// it stays: it holds fewer than twelve bytes of the key, which other
// text may hold too (an OpenSSH key ends in the same padding bytes, an
// RSA public exponent in a JWK is "AQAB").
func TestRedactorPEMKeyShortLastLineWithEND(t *testing.T) {
	body := pemBody()
	last := body[len(body)-1]
	for name, held := range map[string]string{
		"lf":      fakePEM,
		"crlf":    strings.ReplaceAll(fakePEM, "\n", "\r\n"),
		"escaped": strings.ReplaceAll(fakePEM, "\n", `\n`),
	} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for what, text := range map[string]string{
			"lf":      "…" + last + "\n-----END PRIVATE KEY-----\n",
			"crlf":    "…" + last + "\r\n-----END PRIVATE KEY-----\r\n",
			"escaped": `{"tail":"…` + last + `\n-----END PRIVATE KEY-----"}`,
		} {
			out := r.String(text)
			assert.NotContains(t, out, strings.TrimRight(last, "="), "%s: %s: %q", name, what, out)
			assert.True(t, r.Holds(text), "%s: %s", name, what)
		}
		assert.Equal(t, "bad line "+last, r.String("bad line "+last), "%s: the short last line alone stays", name)
		assert.Equal(t, "-----END PRIVATE KEY-----", r.String("-----END PRIVATE KEY-----"), name)
	}
}
