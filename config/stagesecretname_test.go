package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel whose name the name check refuses for holding a secret (one
// under 6 bytes, which no REDACTED stands for) is built all the same, for
// the file's other faults: the faults of the stages must not quote its
// name, as a channel's that names it twice, in the list of the channels
// there are or as the fix of a typo. Before, "channel "Qz7#k" is in
// stages[0][0] already", "(channels: Qz7#k)" and "did you mean "Qz7#k"?".
func TestStageFaultsDoNotQuoteSecretName(t *testing.T) {
	const pw = "Qz7#k"
	entry := []string{"channels:", "  - kind: email", "    host: smtp.example.com", "    from: a@example.com", "    to: [b@example.com]",
		"    username: u", "    password: &pw " + pw, "    name: *pw", "  - kind: console", "    name: ops"}
	tests := []struct {
		name, stages, want string
	}{
		{"named twice", "stages: [['" + pw + "'], ['" + pw + "']]", `test.yaml:11: stages[1][0]: names the channel of stages[0][0] again (not quoted`},
		{"unknown", "stages: [[nope]]", `(channels: ops)`},
		{"a typo of it", "stages: [[Qz7#j]]", `test.yaml:11: stages[0][0]: names no channel (not quoted: it may be a secret) (channels: ops)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines(append(entry, tt.stages)...), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `test.yaml:8: channels[0].name: holds a secret written in channels[0] (`)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}
