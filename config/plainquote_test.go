package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A quote inside a plain value ("Rock 'n roll", after a space in the
// middle of it) opens nothing: YAML reads a quoted scalar only where a
// value starts (https://yaml.org/spec/1.2.2/#733-plain-style: a plain
// scalar may hold "'" and '"' but not start with them). The explanation
// of a syntax error on its line names the real cause, not a quote.
// Before, it read "quote not closed" for each of these.
func TestSyntaxErrorQuoteInPlainValueOpensNothing(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"an alias after it in a list", lines("channels: [console://]", "tags: [Rock 'n roll, *nope]"),
			"test.yaml:2: tags: unknown anchor"},
		{"a list not closed", lines("channels: [console://]", "tags: [Rock 'n roll, b"),
			`test.yaml:2: tags: "[" not closed, or a "," missing`},
		{"a double quote", lines("channels: [console://]", `tags: [a 6" pipe, *nope]`),
			"test.yaml:2: tags: unknown anchor"},
		{"a value holding a colon", lines("channels: [console://]", "title: Rock 'n roll: live"),
			`test.yaml:2: title: a value holding ": " must be quoted`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "quote not closed")
		})
	}
}
