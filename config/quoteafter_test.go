package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A quoted value followed by more text on its line (name: 'a' b), which
// YAML refuses (YAML 1.2.2, 7.3 flow scalar styles: a quoted scalar ends
// at its quote, and only a comment, or the ":" of a key, may follow it),
// is explained as such, not as an indentation fault. Before, each read
// "check the indentation (did not find expected key)".
func TestSyntaxErrorTextAfterClosingQuote(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"single", lines("channels:", "  - kind: console", "    name: 'a' b"),
			"test.yaml:3: channels[0].name: text after the closing quote: quote the whole value"},
		{"double, an escaped quote", lines("channels:", "  - kind: console", `    name: "a\"b" c`),
			"test.yaml:3: channels[0].name: text after the closing quote: quote the whole value"},
		{"a quote doubled", lines("state: 'it''s' x", "channels: []"),
			"test.yaml:1: state: text after the closing quote: quote the whole value"},
		{"a hash inside", lines("channels:", "  - kind: console", "    name: 'a # b' c"),
			"test.yaml:3: channels[0].name: text after the closing quote: quote the whole value"},
		{"an anchor", lines("channels:", "  - kind: console", "    name: &a 'b' c"),
			"test.yaml:3: channels[0].name: text after the closing quote: quote the whole value"},
		{"CRLF", strings.ReplaceAll(lines("channels:", "  - kind: console", "    name: 'a' b"), "\n", "\r\n"),
			"test.yaml:3: channels[0].name: text after the closing quote: quote the whole value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
