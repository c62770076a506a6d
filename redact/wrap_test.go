package redact_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A secret that e-mail wrapped across lines is found: quoted-printable
// breaks a body's lines at 76 characters with a soft "=" line break, and
// MIME wraps base64 at 76; a bounce or an SMTP error quotes them so. The
// text around it, its line breaks included, stays.
func TestRedactorSecretSplitAcrossLines(t *testing.T) {
	const secret = "dG9rZW4tMTIz+/a=pa55w0rd-s3cr3t"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for pad := range 40 {
		body := strings.Repeat("x", 40+pad) + " token " + secret + " end"
		var qp bytes.Buffer
		w := quotedprintable.NewWriter(&qp)
		_, err := w.Write([]byte(body))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		b64 := base64.StdEncoding.EncodeToString([]byte(body))
		var wrapped strings.Builder
		for len(b64) > 76 {
			wrapped.WriteString(b64[:76] + "\r\n")
			b64 = b64[76:]
		}
		wrapped.WriteString(b64)
		for name, echo := range map[string]string{"quoted-printable": qp.String(), "base64": wrapped.String()} {
			text := "554 message refused:\r\n" + echo + "\r\n-- end of message"
			out := r.String(text)
			assert.Contains(t, out, redact.Redacted, "%s, %d", name, pad)
			assert.True(t, r.Holds(text), "%s, %d", name, pad)
			assert.True(t, strings.HasPrefix(out, "554 message refused:\r\n"), "%s, %d: %q", name, pad, out)
			assert.True(t, strings.HasSuffix(out, "\r\n-- end of message"), "%s, %d: %q", name, pad, out)
			if name == "quoted-printable" {
				dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(out)))
				if assert.NoError(t, err) {
					assert.NotContains(t, string(dec), "pa55w0rd", "%d: %q", pad, out)
				}
			} else {
				o := strings.Index(body, secret)
				core := base64.StdEncoding.EncodeToString([]byte(body))[(8*o+5)/6 : 8*(o+len(secret))/6]
				assert.NotContains(t, strings.ReplaceAll(out, "\r\n", ""), core, "%d: %q", pad, out)
			}
		}
	}
	plain := "a line that ends so =\nand one more\n" + strings.Repeat("QUJD", 20) + "\nREST"
	assert.Equal(t, plain, r.String(plain), "no secret, nothing changed")
	assert.False(t, r.Holds(plain))
}
