package redact_test

import (
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// The password of a URL's user information, of any length and with
// any of the characters its escaping treats apart, does not get out of a
// Redactor made WithURL in the forms a client sends it: the user
// information escaped as the URL writes it (in another URL of the same
// login, as a redirect's), and "user:password" in base64 (the Basic
// Authorization header Go's HTTP client sends for such a URL, which a
// server may echo in its error).
func TestURLUserinfoRandom(t *testing.T) {
	const chars = "abcXYZ019-_.~$&+,;=!*'()@:/?% "
	for seed := range uint64(300) {
		rnd := rand.New(rand.NewPCG(seed, 7))
		pick := func(from string, n int) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = from[rnd.IntN(len(from))]
			}
			return string(b)
		}
		user, pw := pick("abcdefghij", 3+rnd.IntN(5)), pick(chars, 1+rnd.IntN(12))
		u := &url.URL{Scheme: "https", User: url.UserPassword(user, pw), Host: "hooks.example.com", Path: "/in"}
		r := redact.NewRedactor().WithURL(redact.NewURL(u.String()))
		basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))
		for _, tt := range []struct{ text, leak string }{
			{"redirected to https://" + u.User.String() + "@other.example.com/x", u.User.String()},
			{"401: bad header Authorization: Basic " + basic, basic},
			{"401: bad header Authorization: Basic " + basic, strings.TrimRight(basic, "=")},
		} {
			assert.NotContains(t, r.String(tt.text), tt.leak, "seed %d, user %q, password %q", seed, user, pw)
		}
	}
}
