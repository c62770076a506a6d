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

// A key with the shape of a credential (a curl header pasted as a header's
// name, "Authorization: Bearer …", or a token written where a key stands)
// was written whole in the path an error names and as the unknown key: it
// is not, as a channel does not quote such a header name (and as a URL
// key is not written), and the error still names the line and says why.
func TestCredentialShapedKeyNotInPath(t *testing.T) {
	const token = "abcdefghijklmnop123"
	webhook := func(l ...string) string {
		return lines(append([]string{"channels:", "  - kind: webhook", "    url: https://h.example.com/", "    allow_unsigned: true", "    headers:"}, l...)...)
	}
	auth := `"Authorization: Bearer ` + token + `"`
	tests := []struct{ name, yaml, want string }{
		{"a value's fault", webhook("      " + auth + ": {a: 1}"), `test.yaml:6: channels[0].headers.<a key (not quoted: it may be a credential)>: want a string, got a mapping`},
		{"a variable not set", webhook("      " + auth + ": ${NOPE}"), `test.yaml:6: channels[0].headers.<a key (not quoted: it may be a credential)>: ${NOPE}: environment variable NOPE is not set`},
		{"a key given twice", webhook("      "+auth+": x", "      "+auth+": y"), `test.yaml:7: channels[0].headers.<a key (not quoted: it may be a credential)>: key given twice`},
		{"a token as an unknown key", lines("channels:", "  - kind: slack", "    xoxb-"+token+": x"), `test.yaml:3: channels[0]: unknown key, a key (not quoted: it may be a credential) (known: `},
		{"user:password as a key", lines("channels:", "  - kind: console", "    ops:"+token+": [1]"), `test.yaml:3: channels[0]: unknown key, a key (not quoted: it may be a credential) (known: `},
		{"a syntax error", lines("channels: [console://]", auth+":", "  x: @1"), `test.yaml:3: <a key (not quoted: it may be a credential)>.x: quote a value that starts with "@"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), token)
		})
	}
}
