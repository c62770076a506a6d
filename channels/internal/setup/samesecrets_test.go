package setup

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/internal/secrets/secretstest"
	"github.com/outagecast/outagecast/redact"
)

// Name and Quote find the secrets config finds (config's
// TestSameSecretsAsTheChannels checks the same names): in fields, nested
// structs, lists, maps, behind pointers, and in URLs' user information
// and query, redact.URL or plain string.
func TestSameSecretsAsConfig(t *testing.T) {
	cfg := secretstest.Value()
	for name, field := range secretstest.Held {
		_, err := Name("demo", name, "demo", cfg)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, redact.ErrSecretInName, name)
		assert.Equal(t, "demo: Config.Name: "+redact.ErrSecretInName.Error()+"; it holds the value of Config."+field, err.Error())
		assert.Equal(t, "a value (not quoted: it holds a secret of the channel's Config)", Quote(name, cfg), name)
	}
	for _, name := range secretstest.Free {
		_, err := Name("demo", name, "demo", cfg)
		assert.NoError(t, err, name)
	}
}
