package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key holding a terminal escape or a character that shows nothing (or
// turns the text after it around, U+202E) was written as it is in the path
// an error names, so that the error printed on a terminal coloured it, or
// showed another key: it is quoted there, as an unknown key is quoted. A
// merge key is written as the file writes it, "<<".
func TestHostileKeyQuotedInPath(t *testing.T) {
	const key = `"\x1b[31mX\u202e"`
	tests := []struct{ name, yaml, want string }{
		{"a value's fault", lines("channels:", "  - kind: webhook", "    url: https://h.example.com/", "    allow_unsigned: true",
			"    headers:", "      "+key+": {a: 1}"), `test.yaml:6: channels[0].headers.` + key + `: want a string, got a mapping`},
		{"a syntax error", lines("channels: [console://]", key+":", "  x: @1"), `test.yaml:3: ` + key + `.x: quote a value that starts with "@"`},
		{"a merge key", lines("channels:", "  - kind: console", "    <<: [{}, 3]"), `test.yaml:3: channels[0].<<[1]: want a mapping to merge, got "3"`},
		{"a merge key's syntax error", lines("channels: [console://]", "a: &a {x: 1}", "b:", "  <<: *a", "  <<: @a"),
			`test.yaml:5: b.<<: quote a value that starts with "@"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\x1b")
			assert.NotContains(t, err.Error(), "\u202e")
		})
	}
}
