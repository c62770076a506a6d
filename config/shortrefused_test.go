package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel written as {url: …} and refused for a key it does not take,
// before its URL is read, still has that URL's credentials known as
// secrets: the faults of the other channels, named with its own, may
// quote them (a name that holds its password, used twice), and Load's
// error must not show them. Before, they were left unknown.
func TestRefusedShortFormSecretsHidden(t *testing.T) {
	vars := map[string]string{"HOOK_PW": "correct-horse-battery", "HOOK_TK": "tk-4f9a0c7e2b1d"}
	for name, bad := range map[string]string{
		"unknown key": "    nmae: ops",
		"wrong type":  "    name: [ops]",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := parse(t, lines(
				"channels:",
				`  - url: "https://bot:${HOOK_PW}@hooks.example.com/in?token=${HOOK_TK}"`,
				bad,
				"  - kind: console",
				"    name: ${HOOK_PW}",
				"  - kind: console",
				"    name: ${HOOK_PW}",
				"  - kind: console",
				"    name: ${HOOK_TK}",
				"  - kind: console",
				"    name: ${HOOK_TK}",
			), vars)
			require.Error(t, err)
			for _, v := range vars {
				assert.NotContains(t, err.Error(), v)
			}
			assert.Contains(t, err.Error(), "channels[1].name: holds ${HOOK_PW}, a secret")
			assert.Contains(t, err.Error(), "channels[3].name: holds ${HOOK_TK}, a secret")
		})
	}
}
