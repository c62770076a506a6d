package redact_test

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A key of "\r\n" lines %-escaped (as a query or a path escapes it), then
// in base64 or in a hex dump (a server echoing the request it got), shows
// no part of its body: no line's bytes, nor its short last line's, in
// what the base64 or the dump still writes, read from any of its
// characters; whichever line breaks the key was held with, by String and
// by Truncated. So also the key of "\n" lines. Its BEGIN line may show:
// it says what the block is.
func TestRedactorKeyEscapedInBase64OrHexDumpShowsNoBody(t *testing.T) {
	crlf := strings.ReplaceAll(fakePEM, "\n", "\r\n")
	escapes := map[string]func(string) string{"%-escaped": url.QueryEscape, "path-escaped": url.PathEscape}
	keys := map[string]string{`"\n"`: fakePEM, `"\r\n"`: crlf}
	for hn, held := range keys {
		r := redact.NewRedactor(redact.NewSecret(held))
		for kn, key := range keys {
			for en, escape := range escapes {
				sent := []byte("k=" + escape(key))
				for what, text := range map[string]string{
					"in base64":     base64.StdEncoding.EncodeToString(sent),
					"in a hex dump": hex.Dump(sent),
				} {
					name := "held with " + hn + ": key of " + kn + " lines, " + en + ", " + what
					for f, out := range map[string]string{"String": r.String(text), "Truncated": r.Truncated(text)} {
						shown := shownBytes(out)
						for _, l := range pemBody() {
							for _, part := range bodyPieces(escape(l)) {
								assert.NotContains(t, shown, part, "%s: %s: %q", f, name, out)
							}
						}
					}
					assert.True(t, r.Holds(text), name)
				}
			}
		}
	}
}

// bodyPieces returns the pieces of l, a line of a key's body as a text
// writes it, that must not show: each eight characters of it in a row
// (the short last line's first eight too, "Abc9fake").
func bodyPieces(l string) []string {
	var out []string
	for i := 0; i+8 <= len(l); i++ {
		out = append(out, l[i:i+8])
	}
	return out
}

// shownBytes returns what out, a redacted text of base64 or of a hex
// dump, still writes, its pieces between REDACTEDs each read as it may
// be: as is (a dump's text column), as hex bytes (a dump's, their
// separators and offsets dropped), and as base64 from each of its first
// four characters; the pieces apart, so that no piece reads on across a
// REDACTED.
func shownBytes(out string) string {
	var b strings.Builder
	for _, piece := range strings.Split(out, redact.Redacted) {
		b.WriteString(piece + "\x00")
		var digits strings.Builder
		for _, line := range strings.Split(piece, "\n") {
			if i := strings.IndexByte(line, '|'); i >= 0 {
				line = line[:i]
			}
			for _, f := range strings.Fields(line) {
				if len(f) == 2 {
					digits.WriteString(f)
				}
			}
		}
		if d, err := hex.DecodeString(digits.String()); err == nil {
			b.Write(d)
			b.WriteByte(0)
		}
		run := strings.TrimRight(piece, "=")
		for off := 0; off < 4 && off < len(run); off++ {
			s := run[off:]
			d, _ := base64.RawStdEncoding.DecodeString(s[:len(s)/4*4])
			b.Write(d)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// Two secrets in one run of base64 (a form body a server echoes in
// base64): a token found at its offset in the run as is, and a password
// found only once the run is decoded (%-escaped), are both hidden; the
// token's REDACTED, put first, hid the password from the run's decoding.
func TestRedactorSecretsInOneBase64Run(t *testing.T) {
	tok, pw := "tok3nAbcdefGhijKlmn", "p@ss/w0rd+x:y"
	r := redact.NewRedactor(redact.NewSecret(tok), redact.NewSecret(pw))
	text := base64.StdEncoding.EncodeToString([]byte("a=" + tok + "&b=" + url.QueryEscape(pw) + "&c=1"))
	for f, out := range map[string]string{"String": r.String(text), "Truncated": r.Truncated(text)} {
		shown := shownBytes(out)
		assert.NotContains(t, shown, "w0rd", "%s: %q", f, out)
		assert.NotContains(t, shown, "Ghij", "%s: %q", f, out)
	}
	assert.True(t, r.Holds(text))
}
