package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// CheckName could not find the forms WithLogin hides: given the password
// alone, as a channel's Config holds it, it knows no user name, and leaves
// a password under MinNameSecret bytes alone, so a name holding HTTP
// Basic's "user:password", or SASL PLAIN's or XOAUTH2's base64, of an IRC
// or e-mail login with a short password passed, though a Redactor made
// WithLogin changes it (for a URL's login it looked). Given LoginSecrets,
// it refuses each; a name holding neither passes.
func TestCheckNameFindsWithLoginForms(t *testing.T) {
	user, pw := "ops", NewSecret("pw12")
	rd := NewRedactor().WithLogin(user, pw)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, name := range []string{
		"ops:pw12", "Basic " + b64("ops:pw12"), b64("\x00ops\x00pw12"), b64("ops\x00ops\x00pw12"),
		b64("user=ops\x01auth=Bearer pw12\x01\x01"), "ops%3Apw12",
	} {
		assert.NotEqual(t, name, rd.String(name), "a Redactor made WithLogin changes %q", name)
		assert.Equal(t, ErrSecretInName, CheckName(name, LoginSecrets(user, pw), nil), "%q", name)
	}
	for _, name := range []string{"ops-pw12", "ops", "irc-ops"} {
		assert.NoError(t, CheckName(name, LoginSecrets(user, pw), nil), "%q", name)
	}
	assert.Nil(t, LoginSecrets(user, NewSecret("")), "no password, nothing to hide")
}

// The analysis behind LoginSecrets: for a password of MinNameSecret bytes
// or more, CheckName given the password alone already refuses every form
// WithLogin hides (each holds the password in an encoding CheckName
// reads); it is the shorter password whose forms it missed.
func TestCheckNameFindsLongPasswordsLoginForms(t *testing.T) {
	const chars = "abcXYZ019-_.~:@/+ é"
	rnd := rand.New(rand.NewPCG(7, 7))
	pick := func(n int) string {
		rs := []rune(chars)
		var b strings.Builder
		for range n {
			b.WriteRune(rs[rnd.IntN(len(rs))])
		}
		return b.String()
	}
	for range 20 {
		user, pw := pick(rnd.IntN(6)), "P4"+pick(MinNameSecret)
		for _, f := range loginForms(user, pw) {
			assert.Equal(t, ErrSecretInName, CheckName(f, []Secret{NewSecret(pw)}, nil), "user %q, password %q, form %q", user, pw, f)
		}
	}
}
