package webhook_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// A name holding the login of a "Basic" header value in a form the
// endpoint's Redactor hides (it redacts that login WithLogin: the decoded
// "user:password", and its base64 on its own) passed New when the password
// was under redact.MinNameSecret bytes, which the name check leaves alone;
// the header value as a whole, which it did look for, is longer than such
// a name. It is now refused, naming the header field, quoting neither the
// name nor the password.
func TestNewRefusesANameHoldingABasicHeaderLogin(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("ops:pw12"))
	for _, name := range []string{"ops:pw12", "hook " + basic} {
		_, err := webhook.New(webhook.Config{
			Name: name, URL: redact.NewURL("https://hooks.example.com/in"), AllowUnsigned: true,
			Headers: map[string]redact.Secret{"Authorization": redact.NewSecret("Basic " + basic)},
		})
		require.Error(t, err, "%q", name)
		assert.ErrorIs(t, err, redact.ErrSecretInName)
		assert.Contains(t, err.Error(), "webhook: Config.Name: ")
		assert.Contains(t, err.Error(), "Config.Headers")
		assert.NotContains(t, err.Error(), name)
		assert.NotContains(t, err.Error(), "pw12")
	}
	_, err := webhook.New(webhook.Config{
		Name: "ops-hook", URL: redact.NewURL("https://hooks.example.com/in"), AllowUnsigned: true,
		Headers: map[string]redact.Secret{"Authorization": redact.NewSecret("Basic " + basic)},
	})
	assert.NoError(t, err, "a name holding no form of the login")
}
