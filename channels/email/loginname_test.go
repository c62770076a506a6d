package email_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

// A name holding the login in a form the channel's Redactor hides (SMTP
// AUTH PLAIN's base64, HTTP Basic's "user:password") passed New when the
// password was under redact.MinNameSecret bytes, which the name check
// leaves alone: it did not know the user name. It is now refused, and the
// error quotes neither the name nor the password.
func TestNewRefusesANameHoldingTheLogin(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, name := range []string{"ops:pw12", "mail " + b64("\x00ops\x00pw12")} {
		cfg := valid()
		cfg.Username, cfg.Password, cfg.Name = "ops", redact.NewSecret("pw12"), name
		ch, err := email.New(cfg)
		if err == nil {
			_ = ch.Close()
		}
		require.Error(t, err, "%q", name)
		assert.ErrorIs(t, err, redact.ErrSecretInName)
		assert.NotContains(t, err.Error(), name)
		assert.NotContains(t, err.Error(), "pw12")
	}
}
