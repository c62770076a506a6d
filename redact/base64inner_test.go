package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A server that echoes the request it received in base64 (a body a proxy
// or a function platform quotes as "isBase64Encoded", an e-mail
// attachment) writes the secret as the request wrote it: %-escaped in a
// form body, JSON-escaped, upper-cased. Each is redacted inside that
// base64, also wrapped at 76 columns as MIME wraps it.
func TestRedactorEncodedFormInsideBase64(t *testing.T) {
	const secret = "s3cr3t-Pa/ss+word=x<y>&z"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for name, c := range echoedRequests(t, secret) {
		req := c.req
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			for _, pad := range []string{"", "a", "ab"} {
				blob := enc.EncodeToString([]byte(pad + req + "&scope=all"))
				for _, text := range []string{
					`{"body":"` + blob + `","isBase64Encoded":true}`,
					"Content-Transfer-Encoding: base64\r\n\r\n" + wrapAt76(blob) + "\r\n",
				} {
					out := r.String(text)
					assert.Contains(t, out, redact.Redacted, "%s %q", name, text)
					assert.NotContains(t, out, strings.ReplaceAll(wrapAt76(blob), "\r\n", ""), name)
					for _, run := range strings.FieldsFunc(out, func(c rune) bool { return !strings.ContainsRune(b64Chars, c) }) {
						for _, e := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
							d, _ := e.DecodeString(strings.TrimRight(run, "="))
							assert.False(t, r.Holds(string(d)), "%s: %q decodes to a secret", name, run)
						}
					}
				}
			}
		}
	}
	const words = "Basic-auth failed for user operations_team: see https://example.com/docs/auth YWJjZGVmZ2hp"
	assert.Equal(t, words, r.String(words), "other text, base64 or not, is left alone")
}

// echoedRequests are requests that carry secret in the form each writes
// it (form, the part holding it): a form body's %-escaped, a JSON body's
// escaped, an upper-cased header's.
func echoedRequests(t *testing.T, secret string) map[string]struct{ req, form string } {
	js, err := json.Marshal(map[string]string{"client_secret": secret})
	assert.NoError(t, err)
	jsForm, err := json.Marshal(secret)
	assert.NoError(t, err)
	return map[string]struct{ req, form string }{
		"form body":  {"grant_type=client_credentials&client_secret=" + url.QueryEscape(secret), url.QueryEscape(secret)},
		"json body":  {string(js), strings.Trim(string(jsForm), `"`)},
		"upper case": {"AUTHORIZATION: BEARER " + strings.ToUpper(secret), strings.ToUpper(secret)},
	}
}

const b64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"

func wrapAt76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}
