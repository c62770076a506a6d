package redact_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A secret that looks like a token (sixteen bytes or more, or eight with a
// digit) is found upper- or lower-cased, as a server that folds case
// echoes it, also inside an escaped text; a shorter one is not, so that
// its other case, an ordinary word, stays.
func TestRedactorCaseFolded(t *testing.T) {
	for _, secret := range []string{"AbCdEf12", "xoxb-TokenWithMixedCase"} {
		r := redact.NewRedactor(redact.NewSecret(secret))
		for _, text := range []string{
			"ERROR: BAD TOKEN " + strings.ToUpper(secret),
			":irc.example 464 bot :" + strings.ToLower(secret) + " rejected",
			`{"e":"` + strings.ToUpper(secret) + `\n"}`,
		} {
			out := r.String(text)
			assert.NotContains(t, strings.ToLower(out), strings.ToLower(secret), "%q", out)
			assert.True(t, r.Holds(text), text)
		}
	}
	r := redact.NewRedactor(redact.NewSecret("Hunter"), redact.NewSecret("Sesame"), redact.NewSecret("PasswordX"))
	plain := "hunter, open sesame: the password x is wrong, PASSWORDX"
	assert.Equal(t, plain, r.String(plain), "a short secret's other case stays")
}

// The base64 of a token-like secret upper- or lower-cased, standing as a
// word of its own (alone or after the bytes of a login), is found: the
// decoded bytes are matched against every form, the case-folded ones among
// them.
func TestRedactorCaseFoldedBase64(t *testing.T) {
	const secret = "xoxb-TokenWithMixedCase"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, v := range []string{strings.ToUpper(secret), strings.ToLower(secret)} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			for _, text := range []string{
				"echo " + enc.EncodeToString([]byte(v)) + " end",
				"AUTH PLAIN " + enc.EncodeToString([]byte("\x00user\x00"+v)),
			} {
				out := r.String(text)
				assert.NotContains(t, out, enc.EncodeToString([]byte(v))[:20], "%q", out)
				assert.True(t, r.Holds(text), text)
			}
		}
	}
}

// The base64 of a token-like secret upper- or lower-cased inside longer
// base64 text (a request a server upper-cased, then echoed in base64) is
// found wherever the secret starts in it, also where the run shown starts
// inside the encoded text, off the characters that start its bytes.
func TestRedactorCaseFoldedInsideLongerBase64(t *testing.T) {
	const secret = "xoxb-TokenWithMixedCase"
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, v := range []string{strings.ToUpper(secret), strings.ToLower(secret)} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			for k := range 3 {
				blob := enc.EncodeToString([]byte(strings.Repeat("X", k) + "AUTHORIZATION: BEARER " + v + "\r\n"))
				for from := range 4 {
					text := "body …" + blob[from:]
					out := r.String(text)
					// The characters that encode the secret's bytes alone.
					core := enc.EncodeToString([]byte(strings.Repeat("\x00", (k+22)%3) + v))
					core = strings.TrimRight(core, "=")[4 : len(v)*4/3-4]
					assert.Contains(t, text, core)
					assert.NotContains(t, out, core, "%q", out)
					assert.True(t, r.Holds(text), text)
				}
			}
		}
	}
}
