package redact_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A key %-escaped (as a query or a path escapes it) in an echoed request
// in base64, cut at every length (a response body read up to a limit):
// Truncated shows no part of the key's body, read from any character of
// what is left, whichever line breaks the key was sent with, and however
// many bytes before the key shift it in the run, the base64 on one line
// or wrapped at 76 characters (MIME). So also String of the whole text.
func TestRedactorTruncatedKeyInBase64AtEveryCut(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(fakePEM))
	keys := map[string]string{`"\n"`: fakePEM, `"\r\n"`: strings.ReplaceAll(fakePEM, "\n", "\r\n")}
	escapes := map[string]func(string) string{"%-escaped": url.QueryEscape, "path-escaped": url.PathEscape}
	for kn, key := range keys {
		for en, escape := range escapes {
			var pieces []string
			for _, l := range pemBody() {
				pieces = append(pieces, bodyPieces(escape(l))...)
			}
			for k := range 3 * 2 {
				pre, wrapped := k/2, k%2 == 1
				blob := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", pre) + "k=" + escape(key) + "&z=1"))
				name := "key of " + kn + " lines, " + en + ", " + strings.Repeat("x", pre)
				if wrapped {
					blob, name = wrapAt76(blob), name+", wrapped"
				}
				text := "body: " + blob
				for n := range len(text) + 1 {
					out := r.Truncated(text[:n])
					if n == len(text) {
						out = r.String(text)
					}
					shown := shownBytes(strings.ReplaceAll(out, "\r\n", ""))
					for _, p := range pieces {
						if !assert.NotContains(t, shown, p, "%s: cut at %d: %q", name, n, out) {
							break
						}
					}
				}
			}
		}
	}
}
