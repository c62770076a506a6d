package config_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel's name that holds a secret another channel's entry wrote in
// the file (an alias of it, the same text typed again, or a longer name
// holding it, in any encoding the channels look for) is refused, naming
// the key and not the value, as a secret from the environment is. Before,
// only the environment's secrets were looked for: "name: *pw" was taken,
// and the password shown in every result, report and log line.
func TestNameHoldingAnotherChannelsWrittenSecretIsRefused(t *testing.T) {
	const pw = "correct-horse-battery"
	email := func(password string) []string {
		return []string{"  - kind: email", "    host: 127.0.0.1", "    tls: plaintext", "    username: bot",
			"    password: " + password, "    from: status@example.com", "    to: [a@example.com]"}
	}
	with := func(password string, more ...string) string {
		return lines(append(append([]string{"channels:"}, email(password)...), more...)...)
	}
	tests := map[string]string{
		"an alias":             with("&pw "+pw, "  - kind: console", "    name: *pw"),
		"the same text again":  with(pw, "  - kind: console", "    name: "+pw),
		"as a part":            with(pw, "  - kind: console", "    name: ops-"+pw+"-console"),
		"in base64":            with(pw, "  - kind: console", "    name: "+base64.StdEncoding.EncodeToString([]byte(pw))),
		"a channel before":     lines(append([]string{"channels:", "  - kind: console", "    name: " + pw}, email(pw)...)...),
		"an IRC channel's key": lines("channels:", "  - kind: irc", "    server: irc.example.com:6697", "    nick: outagecast", "    channels: ['#ops letmein-ops-key']", "  - kind: console", "    name: letmein-ops-key"),
		"a default is written": with("${MISSING_PASSWORD:-"+pw+"}", "  - kind: console", "    name: "+pw),
		"a webhook header":     lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    allow_unsigned: true", "    headers: {X-Api-Key: "+pw+"}", "  - kind: console", "    name: "+pw),
	}
	for name, yaml := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := parse(t, yaml, nil)
			require.Error(t, err)
			msg := err.Error()
			assert.Regexp(t, `channels\[\d\]\.name: holds a secret written in channels\[\d\]`, msg)
			for _, s := range []string{pw, "letmein-ops-key", base64.StdEncoding.EncodeToString([]byte(pw))} {
				assert.NotContains(t, msg, s)
			}
		})
	}

	t.Run("the environment's secrets as before", func(t *testing.T) {
		_, _, err := parse(t, with("${MAILBOX}", "  - kind: console", "    name: ops-${MAILBOX}"), map[string]string{"MAILBOX": pw})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "channels[1].name: holds ${MAILBOX}, a secret")
		assert.NotContains(t, err.Error(), pw)
	})

	// "Holds" is what redact.CheckName says, as for the channel's own
	// secrets: an encoding of the environment's secret too.
	t.Run("the environment's secret in base64", func(t *testing.T) {
		b64 := base64.StdEncoding.EncodeToString([]byte(pw))
		_, _, err := parse(t, with("${MAILBOX}", "  - kind: console", "    name: "+b64), map[string]string{"MAILBOX": pw})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "channels[1].name: holds ${MAILBOX}, a secret")
		assert.NotContains(t, err.Error(), b64)
	})

	t.Run("shorter than 6 bytes", func(t *testing.T) {
		_, _, err := parse(t, with("abcde", "  - kind: console", "    name: abcde-console"), nil)
		require.NoError(t, err)
	})

	t.Run("a name holding none", func(t *testing.T) {
		cfg, _, err := parse(t, with(pw, "  - kind: console", "    name: ops-console"), nil)
		require.NoError(t, err)
		assert.Equal(t, "ops-console", cfg.Channels[1].Name())
	})
}
