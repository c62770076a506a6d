package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A quoted value continued on the next lines, outside brackets, and
// closed there (valid YAML, https://yaml.org/spec/1.2.2/#73-flow-scalar-styles),
// then followed by more text on its closing line, is explained at the
// line that closes it, naming the key of the line that opened it. Before,
// the error named the opening line and said "quote not closed", a quote
// the next line closes.
func TestSyntaxErrorQuoteContinuedOutsideBrackets(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"double-quoted", lines("channels:", "  - kind: console", `    name: "ops`, `      team" x`),
			`test.yaml:4: channels[0].name: text after the closing quote of a value continued from line 3`},
		{"single-quoted", lines("channels: [console://]", `title: 'it''s`, `  ok' more`),
			`test.yaml:3: title: text after the closing quote of a value continued from line 2`},
		{"over three lines", lines("channels: [console://]", `title: "a`, `  b`, `  c" d`),
			`test.yaml:4: title: text after the closing quote of a value continued from line 2`},
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
