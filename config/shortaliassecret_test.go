package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A secret of under 6 bytes written at a key of secrets and aliased into
// another key ("password: &pw Qz7#k", "tls: *pw") is quoted by no check of
// that key: the hider, which hides the secrets the file wrote, leaves one
// so short as it is. Before, the walker took it for a plain value of the
// key it was aliased into: "channels[0].tls: unknown TLS mode "Qz7#k"".
func TestShortSecretAliasedNotQuoted(t *testing.T) {
	for key, pw := range map[string]string{
		"tls": "Qz7#k", "port": "Qz7#k", "idle_timeout": "Qz7#k",
		"auth": "Plain", // quoted as a listed value's case changed
	} {
		t.Run(key, func(t *testing.T) {
			_, _, err := parse(t, lines(
				"channels:",
				"  - kind: email",
				"    host: smtp.example.com",
				"    from: a@example.com",
				"    to: [b@example.com]",
				"    username: u",
				"    password: &pw "+pw,
				"    "+key+": *pw",
			), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "channels[0]."+key+": ")
			assert.Contains(t, err.Error(), "(not quoted: it may be a secret)")
			assert.NotContains(t, err.Error(), pw)
		})
	}
	t.Run("irc channel key", func(t *testing.T) {
		_, _, err := parse(t, lines(
			"channels:",
			"  - kind: irc",
			"    server: irc.example.com:6697",
			"    nick: bot",
			`    channels: [&c "#ops k3y"]`,
			"    tls: *c",
		), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "channels[0].tls: ")
		assert.NotContains(t, err.Error(), "k3y")
	})
}

// The fault of a short secret aliased into a key whose type says what it
// wants lists what it wants, as it does for any other value, only
// without quoting the value: "unknown TLS mode (not quoted: …) (want
// starttls, implicit or plaintext)", not "want a string".
func TestShortSecretAliasedNamesWhatTheKeyWants(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    username: u",
		"    password: &pw Qz7#k",
		"    tls: *pw",
	), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channels[0].tls: ")
	assert.Contains(t, err.Error(), "(want starttls, implicit or plaintext)")
	assert.Contains(t, err.Error(), "(not quoted: it may be a secret)")
	assert.NotContains(t, err.Error(), "want a string")
	assert.NotContains(t, err.Error(), "Qz7#k")
}
