package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fault's field path holds the keys of a map the file writes (a
// webhook's header names), which the file chooses: a secret written as
// one, by mistake, is hidden there as anywhere else in Load's error,
// while the path's list indexes stay readable. Before, the whole path was
// kept as it is, and "channels[0].headers.zq8xkw5vt0ps3cr3t: empty"
// showed the webhook's signing secret.
func TestSecretInFieldPathHidden(t *testing.T) {
	const secret = "zq8xkw5vt0ps3cr3t"
	_, _, err := parse(t, lines("channels:",
		"  - kind: webhook", "    url: https://hooks.example.com/in", "    secret: "+secret,
		"    headers:", "      "+secret+":",
		"      x_"+secret+"_b:"), nil)
	require.Error(t, err)
	msg := err.Error()
	assert.NotContains(t, msg, secret)
	assert.Contains(t, msg, "test.yaml:6: channels[0].headers.REDACTED: empty")
	assert.Contains(t, msg, "test.yaml:7: channels[0].headers.x_REDACTED_b: empty")
}
