package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel that cannot be built (an unknown key, a key its kind wants
// left out) is named with the faults of the channels around it, in file
// order: before, the first such channel stopped Load, and the faults of
// every other channel, its "when:" and names included, went unsaid.
func TestChannelFaultsNamedTogether(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"    name: ops",
		"    when: {statuses: [down]}",
		"  - kind: console",
		"    secrt: x",
		"  - kind: console",
		"    name: ops",
		"  - kind: nope",
	), nil)
	require.Error(t, err)
	want := []string{
		`test.yaml:4: channels[0].when.statuses[0]: unknown value "down" (want `,
		`test.yaml:6: channels[1]: unknown key "secrt"`,
		`test.yaml:7: channels[2]: name "ops": already used by channels[0]; give each channel a name`,
		`test.yaml:9: channels[3]: kind: unknown value "nope"`,
	}
	got := strings.Split(err.Error(), "\n")
	require.Len(t, got, len(want), err.Error())
	for i, w := range want {
		assert.Contains(t, got[i], w)
	}
}
