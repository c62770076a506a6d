package redact_test

import (
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// Of seeded random logins, with letters outside ASCII, ":" in the user
// name, an empty user name and the characters a URL escapes, every form a
// client sends the user and password in is hidden, by a Redactor made
// WithURL (of a URL carrying them, percent-encoded) as by one made
// WithLogin: HTTP Basic (net/http, for a URL's user information), SASL
// PLAIN with and without the authorization identity (go-mail's PLAIN, IRC
// SASL), LOGIN's password alone and XOAUTH2, each in base64 with and
// without padding. A sentence that holds neither is left as it is.
func TestLoginFormsRandom(t *testing.T) {
	const chars = "abcXYZ019-_.~$&+,;=!*'()@:/?% äé€😀\t"
	const sentence = "401 Unauthorized: wrong user name or password, try again later"
	for seed := range uint64(150) {
		rnd := rand.New(rand.NewPCG(seed, 11))
		pick := func(n int) string {
			rs := []rune(chars)
			var b strings.Builder
			for range n {
				b.WriteRune(rs[rnd.IntN(len(rs))])
			}
			return b.String()
		}
		user, pw := pick(rnd.IntN(8)), "~"+pick(1+rnd.IntN(12))
		raw := (&url.URL{Scheme: "https", User: url.UserPassword(user, pw), Host: "hooks.example.com", Path: "/in"}).String()
		p, err := url.Parse(raw)
		require.NoError(t, err)
		got, _ := p.User.Password()
		require.Equal(t, user, p.User.Username())
		require.Equal(t, pw, got)
		b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
		forms := []string{
			b64(user + ":" + pw),
			b64("\x00" + user + "\x00" + pw),
			b64(user + "\x00" + user + "\x00" + pw),
			b64(pw),
			b64("user=" + user + "\x01auth=Bearer " + pw + "\x01\x01"),
		}
		for name, r := range map[string]*redact.Redactor{
			"WithURL":   redact.NewRedactor().WithURL(redact.NewURL(raw)),
			"WithLogin": redact.NewRedactor().WithLogin(user, redact.NewSecret(pw)),
		} {
			for _, f := range forms {
				out := r.String("535 bad credentials " + f + " given")
				assert.NotContains(t, out, strings.TrimRight(f, "="), "%s, seed %d, user %q, password %q", name, seed, user, pw)
			}
			assert.Equal(t, sentence, r.String(sentence), "%s, seed %d, user %q, password %q", name, seed, user, pw)
		}
	}
}
