package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stage entry that names no channel lists the channels there are; when
// there is none to list (every channel refused, or none configured), it
// says so. Before, it ended "(channels: )", an empty list.
func TestStageNamesNoChannelOfNone(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"every channel refused", lines("stages: [[ops]]", "channels:", "  - kind: console", "    secrt: x"),
			"test.yaml:1: stages[0][0]: names no channel (not quoted: it may be a secret) (every channel is refused)"},
		{"none configured", lines("stages: [[ops]]", "channels: []"),
			"test.yaml:1: stages[0][0]: names no channel (not quoted: it may be a secret) (no channel is configured)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			found := false
			for _, l := range strings.Split(err.Error(), "\n") {
				found = found || strings.HasSuffix(l, "/"+tt.want)
			}
			assert.True(t, found, "no line %q in:\n%v", tt.want, err)
			assert.NotContains(t, err.Error(), "(channels: )")
		})
	}
}
