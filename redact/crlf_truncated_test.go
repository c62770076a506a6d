package redact_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A text of "\r\n" lines cut short inside a key's END line, after its
// body, is cut before the key, as it was before a Redactor read "\r\n" as
// "\n": reading it so found the key's last lines (a short last line with
// the one before it) split by a line break and replaced them, so that
// what the text ends with was no longer seen as the start of the key, and
// its BEGIN line and what the cut left of its END line were shown.
func TestRedactorTruncatedCRLFKeyEnd(t *testing.T) {
	crlf := strings.ReplaceAll(fakePEM, "\n", "\r\n")
	end := strings.Index(crlf, "-----END")
	for _, held := range []string{fakePEM, crlf} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for k := end; k < len(crlf); k++ {
			out := r.Truncated("log: " + crlf[:k])
			assert.NotContains(t, out, "BEGIN", "cut at %d: %q", k, out)
			assert.True(t, strings.HasPrefix(out, "log: "), "cut at %d: %q", k, out)
		}
	}
}

// A key written whole in a text of "\r\n" lines, %-escaped or in wrapped
// base64, is hidden whole by Truncated, BEGIN and END lines too: a cut
// at what the text ends with ("%0A", which a form of the key starts
// with) must not break the key it ends, leaving its parts to be found
// alone.
func TestRedactorTruncatedCRLFKeyWhole(t *testing.T) {
	crlf := strings.ReplaceAll(fakePEM, "\n", "\r\n")
	for _, held := range []string{fakePEM, crlf} {
		r := redact.NewRedactor(redact.NewSecret(held))
		for _, key := range []string{fakePEM, crlf} {
			for what, text := range map[string]string{
				"%-escaped":      "\r\n" + url.QueryEscape(key),
				"path-escaped":   "a\r\nb " + url.PathEscape(key),
				"JSON, escaped":  "\r\n" + url.QueryEscape(strings.ReplaceAll(key, "\n", `\n`)),
				"after its text": "HTTP/1.1 400\r\n\r\n" + url.QueryEscape(key),
			} {
				out := r.Truncated(text)
				assert.NotContains(t, out, "PRIVATE", "%s: %q", what, out)
				assert.Contains(t, r.String(text), redact.Redacted, what)
			}
		}
	}
}
