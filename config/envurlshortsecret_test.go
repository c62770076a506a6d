package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A short-form channel URL given through the environment ("url:
// ${IRC_URL}", or a reference inside it) has its secrets under 6 bytes
// compared with names as those of a URL written in the file are: a name
// equal to one is refused, naming the field, and no fault quotes it (the
// stages' faults neither). Before, only a URL written in the file was
// looked at, and the password was taken as the channel's name and quoted:
// "channel "Qz7!k" is in stages[0][0] already".
func TestShortEnvURLSecretAsNameRefused(t *testing.T) {
	const pw = "Qz7!k"
	tests := []struct {
		name, url, env, want string
	}{
		{"an IRC server password", "${IRC_URL}", "ircs://bot:" + pw + "@irc.example.com/ops",
			`test.yaml:3: channels[0].name: holds a secret that channels[0] takes from ${IRC_URL} (`},
		{"an IRC SASL password", "${IRC_URL}", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw,
			`test.yaml:3: channels[0].name: holds a secret that channels[0] takes from ${IRC_URL} (`},
		{"an IRC channel's key in the path", "${IRC_URL}", "ircs://bot@irc.example.com/ops%20" + pw,
			`test.yaml:3: channels[0].name: holds a secret that channels[0] takes from ${IRC_URL} (`},
		{"an IRC channel's key in a key option", "${IRC_URL}", "ircs://bot@irc.example.com/ops?key=" + pw,
			`test.yaml:3: channels[0].name: holds a secret that channels[0] takes from ${IRC_URL} (`},
		{"a reference inside the URL", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=${IRC_URL}", pw,
			`test.yaml:3: channels[0].name: holds a secret that channels[0] takes from ${IRC_URL} (`},
		{"an X consumer key", "${X_URL}", "x://api.x.com?consumer_key=" + pw + "&consumer_secret=cs-0123456789&access_token=at-0123456789&access_secret=as-0123456789",
			`test.yaml:3: channels[0].name: holds a secret that channels[0] takes from ${X_URL} (`},
		{"another entry's URL", "${IRC_URL}'\n  - url: 'console://", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw,
			`test.yaml:4: channels[1].name: holds a secret that channels[0] takes from ${IRC_URL} (`},
		// Refused for another fault, the entry's faults do not quote it.
		{"an IRC entry refused", "${IRC_URL}", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw + "&max_lines=-1",
			`test.yaml:2: channels[0] (irc "irc"): max_lines: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("IRC_URL", tt.env)
			t.Setenv("X_URL", tt.env)
			err := loadNamedAs(t, tt.url, pw)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}

// A short-form channel URL from the environment whose name equals a part
// of it that is no secret (the nick, the SASL user name, the host) is
// taken, as one of a URL written in the file is.
func TestShortEnvURLNameEqualToNoSecretTaken(t *testing.T) {
	t.Setenv("IRC_URL", "ircs://bot@chat/ops?sasl_user=sasl&sasl_password=Qz7!k")
	path := filepath.Join(t.TempDir(), "test.yaml")
	require.NoError(t, os.WriteFile(path, []byte(lines("channels:",
		"  - url: ${IRC_URL}", "    name: bot",
		"  - url: ${IRC_URL}", "    name: chat",
		"  - url: ${IRC_URL}", "    name: sasl",
	)), 0o600))
	_, err := config.Load(path)
	require.NoError(t, err)
}
