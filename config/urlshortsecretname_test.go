package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A short-form channel's name that is a secret part of its URL under 6
// bytes (a query's password, an IRC channel's key in the path) is refused
// as the other short secrets are, naming the field, and no fault quotes
// it: the stages' faults neither. Before, it was taken as the channel's
// name (redact.CheckName leaves such a short secret alone), and a fault
// of the entry read `channels[0] (irc "Qz7!k"): …`.
func TestShortURLSecretAsNameRefused(t *testing.T) {
	const pw = "Qz7!k"
	tests := []struct {
		name, url, want string
	}{
		{"an IRC SASL password", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw,
			`test.yaml:3: channels[0].name: holds a secret written in channels[0] (`},
		{"an IRC channel's key in the path", "ircs://bot@irc.example.com/ops%20" + pw,
			`test.yaml:3: channels[0].name: holds a secret written in channels[0] (`},
		{"an IRC channel's key in a key option", "ircs://bot@irc.example.com/ops?key=" + pw,
			`test.yaml:3: channels[0].name: holds a secret written in channels[0] (`},
		{"an IRC key option refused", "ircs://bot@irc.example.com/%23ops,%23dev?key=" + pw,
			`test.yaml:2: channels[0] (irc "irc"): `},
		{"an X consumer key", "x://api.x.com?consumer_key=" + pw + "&consumer_secret=cs-0123456789&access_token=at-0123456789&access_secret=as-0123456789",
			`test.yaml:3: channels[0].name: holds a secret written in channels[0] (`},
		{"another entry's URL", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw + "'\n  - url: 'console://",
			`test.yaml:4: channels[1].name: holds a secret written in channels[0] (`},
		// Refused for another fault, the entry's faults do not quote it.
		{"an IRC entry refused", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw + "&max_lines=-1",
			`test.yaml:2: channels[0] (irc "irc"): max_lines: `},
		{"an IRC URL that does not parse", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw + "&nope=1",
			`test.yaml:2: channels[0] (irc "irc"): `},
		{"an X entry refused", "x://api.x.com?consumer_key=" + pw,
			`test.yaml:2: channels[0] (x "x"): `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadNamedAs(t, tt.url, pw)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}

// A short-form channel's name equal to a part of its URL that is no
// secret (the nick, the SASL user name, the host's name, a header not
// named as a credential, as TestShortNameEqualToNoSecretTaken's) is taken.
func TestShortURLNameEqualToNoSecretTaken(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - url: 'ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=Qz7!k'",
		"    name: bot",
		"  - url: 'ircs://bot@chat/ops?sasl_user=sasl&sasl_password=Qz7!k'",
		"    name: chat",
		"  - url: 'ircs://bot@chat/ops?sasl_user=sasl&sasl_password=Qz7!k'",
		"    name: sasl",
		"  - url: 'webhook://hooks.example.com/in?allow_unsigned=true&@Accept-Language=en-US'",
		"    name: en-US",
	), nil)
	require.NoError(t, err)
}

// loadNamedAs loads a file of one short-form channel of url named name,
// with two stages naming it, and returns Load's error.
func loadNamedAs(t *testing.T, url, name string) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.yaml")
	require.NoError(t, os.WriteFile(path, []byte(lines("channels:", "  - url: '"+url+"'", "    name: '"+name+"'",
		"stages: [['"+name+"'], ['"+name+"']]")), 0o600))
	_, err := config.Load(path)
	return err
}
