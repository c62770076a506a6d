package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel's name that is a secret written in the file, by an alias of
// it or by the same text, is refused whatever its length: a name is shown
// everywhere, unredacted. Before, a secret under 6 bytes (redact's
// MinNameSecret) passed the name check, and "name: *pw" showed the
// password in every result, event and log. The error names the entry
// that wrote it and does not quote it.
func TestShortSecretAsNameRefused(t *testing.T) {
	const pw = "Qz7#k"
	email := func(name, password string) []string {
		return []string{"  - kind: email", "    host: smtp.example.com", "    from: a@example.com", "    to: [b@example.com]",
			"    username: u", "    password: " + password, "    name: " + name}
	}
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"alias in its own entry", lines(append([]string{"channels:"}, email("*pw", "&pw "+pw)...)...),
			`test.yaml:8: channels[0].name: holds a secret written in channels[0] (`},
		{"alias in another entry", lines(append(append([]string{"channels:"}, email("mail", "&pw "+pw)...),
			"  - kind: console", "    name: *pw")...),
			`test.yaml:10: channels[1].name: holds a secret written in channels[0] (`},
		{"same text in its own entry", lines(append([]string{"channels:"}, email("'"+pw+"'", "'"+pw+"'")...)...),
			`test.yaml:8: channels[0].name: holds a secret written in channels[0] (`},
		{"same text in another entry", lines(append(append([]string{"channels:"}, email("mail", "'"+pw+"'")...),
			"  - kind: console", "    name: '"+pw+"'")...),
			`test.yaml:10: channels[1].name: holds a secret written in channels[0] (`},
		{"an IRC channel's short key", lines("channels:", "  - kind: irc", "    server: irc.example.com:6697", "    nick: bot",
			"    channels: ['#ops "+pw+"']", "    name: '"+pw+"'"),
			`test.yaml:6: channels[0].name: holds a secret written in channels[0] (`},
		{"a short-form entry's name", lines(append(append([]string{"channels:"}, email("mail", "&pw "+pw)...),
			"  - url: console://", "    name: *pw")...),
			`test.yaml:10: channels[1].name: holds a secret written in channels[0] (`},
		// Refused for another fault, the entry's faults do not quote
		// the name as the channel's: before, "channels[0] (email "Qz7#k")".
		{"alias in an entry refused", lines(append(append([]string{"channels:"}, email("*pw", "&pw "+pw)...), "    concurrency: -1")...),
			`test.yaml:9: channels[0] (email "email"): concurrency: negative`},
		{"alias in a short-form entry refused", lines(append(append([]string{"channels:"}, email("mail", "&pw "+pw)...),
			"  - url: webhook://", "    name: *pw")...),
			`test.yaml:9: channels[1] (webhook "webhook"): `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}

// The rule takes a name that is a short secret, not one that merely
// equals a short value of no secret key, nor one that holds a short
// secret among other text, which a name may by chance.
func TestShortNameEqualToNoSecretTaken(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    name: ops",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    username: ops", // a user name is no secret
		"    password: ops-mail-password",
		"  - kind: webhook",
		"    name: en-US",
		"    url: https://hooks.example.com/in",
		"    secret: "+secret,
		"    headers: {Accept-Language: en-US}", // a header not named as a credential, under 6 bytes
		"  - kind: irc",
		"    name: bot",
		"    server: irc.example.com:6697",
		"    nick: bot",
		"    channels: ['#ops k3y']",
		"  - kind: console",
		"    name: k3y-console",
	), nil)
	require.NoError(t, err)
}
