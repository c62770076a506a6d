package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The secrets of a channel refused before it was built (an unknown key, a
// value of the wrong type) are hidden in the faults of the other channels
// named with its own: before, they were not known, and a name that held
// the refused channel's password was quoted in a "used twice" line.
func TestRefusedChannelsSecretsHidden(t *testing.T) {
	const pw = "correct-horse-battery"
	for name, bad := range map[string]string{
		"unknown key": "    secrt: x",
		"wrong type":  "    port: [1025]",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := parse(t, lines(
				"channels:",
				"  - kind: email",
				"    host: 127.0.0.1",
				"    tls: plaintext",
				"    username: bot",
				"    password: ${MAILBOX}",
				"    from: status@example.com",
				"    to: [a@example.com]",
				bad,
				"  - kind: console",
				"    name: ${MAILBOX}",
				"  - kind: console",
				"    name: ${MAILBOX}",
			), map[string]string{"MAILBOX": pw})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), pw)
			assert.Contains(t, err.Error(), "channels[1].name: holds ${MAILBOX}, a secret")
		})
	}
}
