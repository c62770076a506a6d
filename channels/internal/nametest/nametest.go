// Package nametest checks, for the tests of channels that log in with a
// user name and a password, that New refuses a Config.Name holding that
// login in a form the channel's Redactor hides (redact.WithLogin).
package nametest

import (
	"encoding/base64"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// User and Password are the login RefusesLogin gives New: a password under
// redact.MinNameSecret bytes, which the name check alone leaves alone, as
// it does not know the user name.
const User, Password = "ops", "pw12"

// RefusesLogin checks that newChannel, given the login User and Password
// and a name holding that login, as "user:password" or as prefix followed
// by the base64 of "\x00user\x00password" (SASL PLAIN's and SMTP AUTH
// PLAIN's form), fails with redact.ErrSecretInName, its error quoting
// neither the name nor the password. A channel newChannel makes is
// closed.
func RefusesLogin(t *testing.T, prefix string, newChannel func(user string, password redact.Secret, name string) (io.Closer, error)) {
	t.Helper()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, name := range []string{User + ":" + Password, prefix + b64("\x00"+User+"\x00"+Password)} {
		ch, err := newChannel(User, redact.NewSecret(Password), name)
		if err == nil {
			_ = ch.Close()
		}
		require.Error(t, err, "%q", name)
		assert.ErrorIs(t, err, redact.ErrSecretInName)
		assert.NotContains(t, err.Error(), name)
		assert.NotContains(t, err.Error(), Password)
	}
}
