package redact_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// Quoted-printable allows lines of any length up to 76 characters (RFC
// 2045, section 6.7), a soft line break an "=" ending one: a body wrapped
// at 20 to 75 characters may hold base64 that holds a secret's form. Cut
// just after a line's "=", after its "\r" or after its line break, the
// text ends in the start of the form's base64: Truncated leaves out the
// character holding the form's first byte and all after it, for every
// form, every alignment of the form in the base64, "\n" or "\r\n" breaks,
// the base64 alone on its line or after a header's name (16 characters
// of it at least, the shortest run read so: a field's name before its "="
// is shorter).
func TestRedactorTruncatedBase64AtShortSoftLineBreak(t *testing.T) {
	r, forms := softBreakForms()
	rnd := rand.New(rand.NewPCG(17, 19))
	for name, form := range forms {
		for _, prefix := range []string{"", "X-Echo: "} {
			for width := 20; width <= 75; width++ {
				b64 := width - len(prefix) // base64 characters on the first line
				if b64 < 16 {
					continue // a shorter word before an "=" may be a field's name
				}
				for n := max(0, 3*(b64-24)/4); 4*n/3+2 <= b64; n++ { // the form's start near the line's end, each alignment
					innocent := make([]byte, n)
					for k := range innocent {
						innocent[k] = 0x80 | byte(rnd.Uint32()) // no form starts with these
					}
					blob := base64.StdEncoding.EncodeToString(append(innocent, form+"\x90\x91\x92"...))
					at := len(prefix) + 4*n/3 // the character holding the form's first byte
					for _, brk := range []string{"\n", "\r\n"} {
						text := prefix + blob[:b64] + "=" + brk + blob[b64:]
						for cut := width + 1; cut <= width+1+len(brk); cut++ {
							s := text[:cut]
							out := r.Truncated(s)
							what := fmt.Sprintf("%s, width %d, %d innocent bytes, %q cut at %d", name, width, n, brk, cut)
							if assert.True(t, strings.HasPrefix(s, out), what) {
								assert.LessOrEqual(t, len(out), at, "%s: %q shows of %q", what, out[min(at, len(out)):], s[at:])
							}
						}
					}
				}
			}
		}
	}
}

// An "=" a cut text ends in after a field's name, or after a word too
// short to be a line of base64, is no soft line break: the text before
// the "=" stays whole (the "=" and a line break after it may go, as a
// cut's stub), whatever the secrets.
func TestRedactorTruncatedFieldEqualsStays(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret("s3cr3t/Pa+ss=word/0123")).WithLogin("alice", redact.NewSecret("pw/Pa+ss=word9"))
	for _, field := range []string{"ECHO: PASSWORD", "a=b&REMEMBER", "id=Zm9vYmFy"} {
		for _, end := range []string{"=", "=\n", "=\r\n", "=\r"} {
			s := field + end
			out := r.Truncated(s)
			assert.True(t, strings.HasPrefix(out, field) && strings.HasPrefix(s, out), "%q gave %q", s, out)
		}
	}
}

// softBreakForms returns the Redactor of the soft line break tests, of a
// secret and a login whose password %-escaping changes, and the forms of
// them each test writes in base64, by name.
func softBreakForms() (*redact.Redactor, map[string]string) {
	const secret, user, password = "s3cr3t/Pa+ss=word/0123", "alice", "pw/Pa+ss=word9"
	r := redact.NewRedactor(redact.NewSecret(secret)).WithLogin(user, redact.NewSecret(password))
	return r, map[string]string{
		"as written":    secret,
		"query-escaped": url.QueryEscape(secret),
		"path-escaped":  url.PathEscape(secret),
		"basic":         user + ":" + password,
		"sasl plain":    "\x00" + user + "\x00" + password,
	}
}
