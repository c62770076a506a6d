package redact

import (
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// CheckName looked for each form of a secret in the name as written
// only, so a name holding a form that a Redactor finds once it has
// decoded the name passed: standard base64 with its "+" and "/"
// %-escaped (a Basic Authorization value in a query), a form inside
// base64 (a header echoed in base64), a character reference.
func TestCheckNameFindsFormsADecodedNameHolds(t *testing.T) {
	const user, pw, token = "me??", "?>?>pw", "tok>>>?key12"
	urls := []URL{NewURL("https://" + url.UserPassword(user, pw).String() + "@hooks.example.com/in")}
	secrets := []Secret{NewSecret(token)}
	rd := NewRedactor(secrets...).WithURLs(urls...)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, name := range []string{
		"hook " + url.QueryEscape(b64(user+":"+pw)),
		"hook " + url.QueryEscape("Basic "+b64(user+":"+pw)),
		"hook " + url.QueryEscape(b64("\x00"+user+"\x00"+pw)),
		"hook " + b64("Authorization: Basic "+b64(user+":"+pw)),
		"hook " + url.QueryEscape(b64(token)),
		"hook &#116;ok>>>?key12",
		"hook 74 6f 6b 3e 3e 3e 3f 6b 65 79 31 32",
	} {
		assert.NotEqual(t, name, rd.String(name), "a Redactor of them changes %q", name)
		assert.Equal(t, ErrSecretInName, CheckName(name, secrets, urls), "%q", name)
	}
	for _, name := range []string{"hook " + b64("me:pw"), "hook%20me%3F", "hook 6d653f3f"} {
		assert.Equal(t, name, rd.String(name))
		assert.NoError(t, CheckName(name, secrets, urls), "%q", name)
	}
}
