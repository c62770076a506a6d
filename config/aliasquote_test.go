package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An error about a value given by an alias quotes the value the alias
// stands for (or its reference, for a value from the environment), and
// names the channel by the name an alias gives it; before, the kind's
// error quoted the anchor's name ("kind: unknown value "k""), and a
// channel named by an alias was called by its kind.
func TestErrorsQuoteWhatAnAliasStandsFor(t *testing.T) {
	tests := []struct {
		name, yaml string
		vars       map[string]string
		want       string
	}{
		{"kind", lines("channels:", "  - kind: console", "    name: &k consolex", "  - kind: *k", "    name: b"), nil,
			`test.yaml:4: channels[1]: kind: unknown value "consolex" (one of`},
		{"type", lines("channels:", "  - kind: console", "    name: &k consolex", "  - type: *k", "    name: b"), nil,
			`test.yaml:4: channels[1]: type: unknown value "consolex" (one of`},
		{"kind from the environment", lines("channels:", "  - kind: console", "    name: &k ${KIND}", "  - kind: *k", "    name: b"),
			map[string]string{"KIND": "consolex"}, `test.yaml:4: channels[1]: kind: unknown value "${KIND}" (one of`},
		{"name", lines("channels:", "  - kind: console", "    name: &n ops", "  - kind: console", "    name: *n", "    template: bogus"), nil,
			`test.yaml:6: channels[1] (console "ops"): template: not in templates`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, tt.vars)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), `"k"`)
		})
	}
}
