package redact_test

import (
	"bytes"
	"mime/quotedprintable"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A passphrase (a token-like secret holding spaces) that a server
// upper- or lower-cased and a form body or query writes with its spaces
// as "+" ("PASSWORD=CORRECT+HORSE+42", or with %-escapes beside them) is
// found, as is one quoted-printable then %-escaped: its case-folded and
// e-mail forms, not the secret alone, hold the spaces the "+" stand for.
func TestRedactorFoldedFormSpaceAsPlus(t *testing.T) {
	for _, secret := range []string{"Correct Horse 42", "correct horse battery staple", "a<b c1234567", "pässwort 123x"} {
		r := redact.NewRedactor(redact.NewSecret(secret))
		for name, form := range map[string]string{
			"upper, form-encoded": url.QueryEscape(strings.ToUpper(secret)),
			"lower, form-encoded": url.QueryEscape(strings.ToLower(secret)),
			"form body upper":     strings.ToUpper(url.QueryEscape(secret)),
			"qp, form-encoded":    url.QueryEscape(qpEncode(secret)),
		} {
			if name == "form body upper" && strings.Contains(form, "%C3%A4") {
				continue // "ä" escaped, then upper-cased: no case of the secret
			}
			text := "ECHO: PASSWORD=" + form + "&REMEMBER=1"
			assert.Equal(t, "ECHO: PASSWORD=REDACTED&REMEMBER=1", r.String(text), "%q %s: %q", secret, name, form)
			assert.True(t, r.Holds(text), "%q %s", secret, name)
			for k := 1; k < len(form); k++ {
				out := r.Truncated("ECHO: PASSWORD=" + form[:k])
				assert.True(t, out == "ECHO: PASSWORD=" || strings.HasSuffix(out, redact.Redacted), "%q %s cut at %d: %q", secret, name, k, out)
			}
		}
	}
	const plain = "GET /?Q=CORRECT+HORSE+43&lang=en"
	r := redact.NewRedactor(redact.NewSecret("Correct Horse 42"))
	assert.Equal(t, plain, r.String(plain), "no secret, nothing changed")
}

// qpEncode returns s quoted-printable, as an e-mail body writes it.
func qpEncode(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.String()
}
