package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The value of a variable whose name says it holds a secret (API_KEY,
// SMTP_PASSWORD) is hidden wherever it went, also outside a channel's keys
// and in a channel's name: written in the wrong place, it was shown as is
// in a channel's name (every report, check and dry run printed it) and in
// the errors of the file's templates and state.
func TestSecretVariableOutsideSecretKeysIsNeverShown(t *testing.T) {
	const key = "sk-live-4f9d2c7e1b"
	vars := map[string]string{"API_KEY": key}

	t.Run("a channel's name", func(t *testing.T) {
		for _, yaml := range []string{
			lines("channels:", "  - kind: console", "    name: ${API_KEY}"),
			lines("channels:", "  - kind: console", "    name: ops-${API_KEY}"),
			lines("channels:", "  - url: console://", "    name: ${API_KEY}"),
		} {
			cfg, _, err := parse(t, yaml, vars)
			require.Error(t, err, yaml)
			assert.Nil(t, cfg)
			assert.Contains(t, err.Error(), "test.yaml:3: channels[0].name: holds ${API_KEY}")
			assert.NotContains(t, err.Error(), key)
		}
	})
	t.Run("templates", func(t *testing.T) {
		_, _, err := parse(t, lines("templates: ${API_KEY}", "channels:", "  - kind: console"), vars)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "templates")
		assert.NotContains(t, err.Error(), key)
	})
	t.Run("state", func(t *testing.T) {
		cfg, _, err := parse(t, lines("state: /nonexistent/${API_KEY}/x.db", "channels:", "  - kind: console"), vars)
		require.NoError(t, err)
		assert.NotContains(t, cfg.Hide("open "+cfg.Store.Path+": no such file"), key, "Hide hides it")
	})
	t.Run("a channel URL's scheme", func(t *testing.T) {
		// url.Parse gives the scheme in lower case, which no longer
		// matched the value to hide.
		const mixed = "Sk-Live-4f9d2c7e1b"
		_, _, err := parse(t, lines("channels:", "  - ${API_KEY}://hooks.example.com/in"), map[string]string{"API_KEY": mixed})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `test.yaml:2: channels[0]: URL scheme "${API_KEY}": no kind of channel takes it`)
		assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(mixed))
	})
	t.Run("a variable not named as a secret is shown", func(t *testing.T) {
		cfg, _, err := parse(t, lines("channels:", "  - kind: console", "    name: ${OPS_CHANNEL}"),
			map[string]string{"OPS_CHANNEL": "ops-console"})
		require.NoError(t, err)
		assert.Equal(t, "ops-console", cfg.Channels[0].Name())
	})
}
