package setup

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A header's value is a secret (webhook's Config.Headers holds
// redact.Secret values: any header may carry a credential, and the
// channel redacts every value from its errors), so a name holding one of
// 6 bytes or more is refused, also when the header is no credential
// ("X-Source: outagecast"). The refusal says which field holds the
// secret, without quoting it, the name or the header's name, so that
// the user sees why a name with no token in it is refused.
func TestNameRefusalNamesTheField(t *testing.T) {
	type endpoint struct {
		URL    redact.URL
		Secret redact.Secret
	}
	type config struct {
		Name      string
		Headers   map[string]redact.Secret
		Endpoints []endpoint
	}
	cfg := config{
		Headers: map[string]redact.Secret{"X-Source": redact.NewSecret("outagecast"), "Content-Language": redact.NewSecret("en-US")},
		Endpoints: []endpoint{{URL: redact.NewURL("https://hooks.example.com/a")},
			{URL: redact.NewURL("https://hooks.example.com/b"), Secret: redact.NewSecret("whsec_c2VjcmV0LXNpZ25pbmcta2V5")}},
	}
	_, err := Name("webhook", "outagecast-prod", "webhook", cfg)
	require.Error(t, err)
	assert.True(t, errors.Is(err, redact.ErrSecretInName))
	assert.EqualError(t, err, "webhook: Config.Name: "+redact.ErrSecretInName.Error()+"; it holds the value of Config.Headers[…]")
	assert.NotContains(t, err.Error(), "X-Source")

	_, err = Name("webhook", "ops-whsec_c2VjcmV0LXNpZ25pbmcta2V5", "webhook", cfg)
	require.Error(t, err)
	assert.EqualError(t, err, "webhook: Config.Name: "+redact.ErrSecretInName.Error()+"; it holds the value of Config.Endpoints[1].Secret")

	// A header value under 6 bytes ("en-US") is no match: a name may
	// hold it by chance.
	_, err = Name("webhook", "status-en-US", "webhook", cfg)
	require.NoError(t, err)
}
