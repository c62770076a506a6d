package redact_test

import (
	"bytes"
	"mime"
	"mime/quotedprintable"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A secret is found as e-mail writes it: quoted-printable, as a body (or a
// bounce quoting one) carries it, and Q-encoded in a MIME encoded-word,
// as a header does, the way Go's mime package and Python's email package
// write it (Go's only for text outside printable ASCII). Base64 tokens
// end in "=", passwords hold "_" and "?".
func TestRedactorMailForms(t *testing.T) {
	for _, secret := range []string{"pa=ss_w0rd?x", "dG9rZW4tMTIz+/a=", "tok en_ü/1234"} {
		var qp bytes.Buffer
		w := quotedprintable.NewWriter(&qp)
		_, err := w.Write([]byte(secret))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		echoes := map[string]string{
			"quoted-printable":    qp.String(),
			"Go's Q encoded-word": mime.QEncoding.Encode("utf-8", secret),
			"Python's Q encoding": pythonQ(secret),
		}
		r := redact.NewRedactor(redact.NewSecret(secret))
		for name, echo := range echoes {
			out := r.String("550 rejected: " + echo + " (see log)")
			assert.NotContains(t, out, echo, "%s of %q", name, secret)
			assert.Contains(t, out, redact.Redacted, "%s of %q", name, secret)
			assert.Contains(t, out, "(see log)", "%s of %q", name, secret)
		}
	}
	assert.Equal(t, "a=3Db", redact.NewRedactor(redact.NewSecret("secret=")).String("a=3Db"), "other text stays")
}

// pythonQ is Python's email.quoprimime.header_encode without the
// encoded-word around it: letters, digits and "!*+-/" as they are, space
// as "_", every other byte as =XX.
func pythonQ(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			b.WriteByte('_')
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || bytes.IndexByte([]byte("!*+-/"), c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteString("=" + "0123456789ABCDEF"[c>>4:c>>4+1] + "0123456789ABCDEF"[c&15:c&15+1])
		}
	}
	return b.String()
}

// Space is "_" in a Q encoding also of a secret quoted-printable writes
// as is.
func TestRedactorQEncodedSpace(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret("open sesame 42"))
	assert.Equal(t, "Subject: =?utf-8?q?REDACTED?=", r.String("Subject: =?utf-8?q?open_sesame_42?="))
}
