package redact_test

import (
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
