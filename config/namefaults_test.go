package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel's name holding a secret, or used twice, is named with every
// fault of every "when:", in one error, a line each in file order, as the
// faults of "when:" are named together. Before, the first such name
// stopped Load at once: the "when:" faults found before it, and any fault
// after it, went unsaid, and mending a file took a run per mistake.
func TestNameFaultsNamedWithTheOthers(t *testing.T) {
	const key = "sk-live-4f9a0c7e2b1d"
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: console",
		"    name: ops",
		"    when: {statuses: [down]}",
		"  - kind: console",
		"    name: ${API_KEY}",
		"  - kind: console",
		"    name: ops",
		"    when: {impacts: [huge]}",
		"  - kind: console",
		"    name: ${API_KEY}",
	), map[string]string{"API_KEY": key})
	require.Error(t, err)
	want := []string{
		`test.yaml:4: channels[0].when.statuses[0]: unknown value "down" (want `,
		`test.yaml:6: channels[1].name: holds ${API_KEY}, a secret (`,
		`test.yaml:7: channels[2]: name "ops": already used by channels[0]; give each channel a name`,
		`test.yaml:9: channels[2].when.impacts[0]: unknown value "huge" (want `,
		`test.yaml:11: channels[3].name: holds ${API_KEY}, a secret (`,
	}
	got := strings.Split(err.Error(), "\n")
	require.Len(t, got, len(want), err.Error())
	for i, w := range want {
		assert.Contains(t, got[i], w)
	}
	assert.NotContains(t, err.Error(), key)
}

// A file of many faults names the first hundred, then how many more, as
// Load's error of references does: ten thousand channels of one name do
// not print ten thousand lines.
func TestChannelFaultsBounded(t *testing.T) {
	file := "channels:\n" + strings.Repeat("  - console://\n", 1000)
	_, _, err := parse(t, file, nil)
	require.Error(t, err)
	got := strings.Split(err.Error(), "\n")
	require.Equal(t, 101, len(got), "lines")
	assert.Contains(t, got[0], `test.yaml:3: channels[1]: name "console": already used by channels[0]`)
	assert.Equal(t, "… and 899 more", got[100])
}
