package redact_test

import (
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// fakePEM is a made-up private key, of the shape of one: 64-character
// lines of base64, the last ending in "=".
const fakePEM = "-----BEGIN PRIVATE KEY-----\n" +
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n" +
	"MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n" +
	"NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n" +
	"Abc9fakeQ==\n" +
	"-----END PRIVATE KEY-----\n"

// A multi-line secret, a PEM private key, is found with its line breaks as
// "\r\n" (as e-mail and line protocols send them) and in a quoted-printable
// body, which writes its "=" as "=3D" and its line breaks as "\r\n"; and
// one held with "\r\n" is found with "\n".
func TestRedactorPEMKeyLineBreaksAndQuotedPrintable(t *testing.T) {
	crlf := strings.ReplaceAll(fakePEM, "\n", "\r\n")
	for _, held := range []string{fakePEM, crlf} {
		r := redact.NewRedactor(redact.NewSecret(held))
		var qp strings.Builder
		w := quotedprintable.NewWriter(&qp)
		_, _ = w.Write([]byte("the key was:\n" + held + "bye\n"))
		_ = w.Close()
		bin := quotedprintable.NewWriter(&qp)
		bin.Binary = true
		_, _ = bin.Write([]byte(held))
		_ = bin.Close()
		for name, text := range map[string]string{
			"lf":               "key: " + fakePEM + " refused",
			"crlf":             "key: " + crlf + " refused",
			"quoted-printable": qp.String(),
		} {
			out := r.String(text)
			for _, line := range strings.Split(fakePEM, "\n")[1:4] {
				assert.NotContains(t, out, line, "%s: %q", name, out)
			}
			assert.True(t, r.Holds(text), name)
		}
	}
	r := redact.NewRedactor(redact.NewSecret(fakePEM))
	plain := "-----BEGIN PRIVATE KEY-----\r\nnot that key\r\n"
	assert.Equal(t, plain, r.String(plain), "no secret, nothing changed")
}
