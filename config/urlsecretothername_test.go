package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel named as a secret of another channel's URL, or holding one
// of 6 bytes or more, is refused as a name holding a secret, naming the
// field, and no fault quotes the secret (the "used twice" fault of the
// names neither, nor the stages'), whether the URL parses or is refused,
// written in the file or taken from the environment. Before, a URL that
// parses gave no secret for the names to be compared with, nor to hide,
// and the faults read `name "Zq8xKw5vT0pS3cr3t": already used by
// channels[1]`; a name holding (not equal to) a part of a refused URL was
// quoted too; and a URL from the environment had the name built, holding
// another channel's password.
func TestURLSecretAsOtherNameNotQuoted(t *testing.T) {
	const pw = "Zq8xKw5vT0pS3cr3t"
	const smtp = "smtp://user:" + pw + "@smtp.example.com:587/?from=s@example.com&to=a@example.com"
	const refused = "smtp://user:" + pw + "@smtp.example.com:x/?from=s@example.com&to=a@example.com"
	tests := []struct {
		name, url, env, channel string
	}{
		{"a password, equal", smtp, "", pw},
		{"a password, held", smtp, "", "ops-" + pw},
		{"an IRC SASL password", "ircs://bot@irc.example.com/ops?sasl_user=bot&sasl_password=" + pw, "", pw},
		{"a password, URL refused, held", refused, "", "ops-" + pw},
		{"a password, URL from the environment", "${MAIL_URL}", smtp, pw},
		{"a password, URL from the environment, held", "${MAIL_URL}", smtp, "ops-" + pw},
		{"a password, URL refused from the environment, held", "${MAIL_URL}", refused, "ops-" + pw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:", "  - url: '"+tt.url+"'", "    name: mail",
				"  - kind: console", "    name: '"+tt.channel+"'", "  - kind: console", "    name: '"+tt.channel+"'",
				"stages: [['"+tt.channel+"'], ['"+tt.channel+"']]"), map[string]string{"MAIL_URL": tt.env})
			require.Error(t, err)
			from := "a secret written in channels[0] ("
			if tt.env != "" {
				from = "a secret that channels[0] takes from ${MAIL_URL} ("
			}
			assert.Contains(t, err.Error(), "test.yaml:5: channels[1].name: holds "+from)
			assert.Contains(t, err.Error(), "test.yaml:7: channels[2].name: holds "+from)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}

// A secret under 6 bytes that a full-form entry takes from the
// environment ("password: ${PW}") is compared with the channels' names as
// one written in the file is: a name equal to it is refused, naming the
// field, and not quoted. Before, only a secret written in the file was,
// and the faults read `name "Qz7!k": already used by channels[1]`.
func TestShortEnvSecretAsOtherNameRefused(t *testing.T) {
	const pw = "Qz7!k"
	_, _, err := parse(t, lines("channels:",
		"  - kind: email", "    host: smtp.example.com", "    username: u", "    password: ${PW}",
		"    from: s@example.com", "    to: [a@example.com]",
		"  - kind: console", "    name: '"+pw+"'", "  - kind: console", "    name: '"+pw+"'",
		"stages: [['"+pw+"'], ['"+pw+"']]"), map[string]string{"PW": pw})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:9: channels[1].name: holds a secret that channels[0] takes from ${PW} (")
	assert.Contains(t, err.Error(), "test.yaml:11: channels[2].name: holds a secret that channels[0] takes from ${PW} (")
	assert.NotContains(t, err.Error(), pw)
}

// A channel named as a part of another channel's URL that is no secret
// (an IRC nick, the host, the channel), when that URL parses and its kind
// takes it, is taken.
func TestURLNoSecretAsOtherNameTaken(t *testing.T) {
	_, _, err := parse(t, lines("channels:",
		"  - url: 'ircs://outagecast-bot:Zq8xKw5vT0pS3cr3t@irc.example.com/operations'", "    name: chat",
		"  - kind: console", "    name: outagecast-bot",
		"  - kind: console", "    name: irc.example.com",
		"  - kind: console", "    name: operations",
	), nil)
	require.NoError(t, err)
}
