package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A URL written as a key (a channel URL given its name below it, as
// "- slack://…:" then "name: ops") is never quoted in an error, as a URL
// value is not: it may hold credentials. Before, the unknown key's error,
// the path of a header written as one, and the syntax error of its line
// quoted it whole, password and token included.
func TestURLWrittenAsAKeyNotQuoted(t *testing.T) {
	const pw = "Sup3rSecretPassw0rd"
	tests := []struct{ name, yaml, want string }{
		{"channel URL with its name below", lines("channels:", "  - https://ops:"+pw+"@hooks.example.com/in:", "      name: ops"),
			"test.yaml:2: channels[0]: unknown key, a URL (not quoted: it may hold credentials)"},
		{"token in the query", lines("channels:", "  - webhook://hooks.example.com/in?token="+pw+": {name: ops}"),
			"test.yaml:2: channels[0]: unknown key, a URL"},
		{"in the full form", lines("channels:", "  - kind: webhook", "    https://ops:"+pw+"@hooks.example.com/in: 1"),
			"test.yaml:3: channels[0]: unknown key, a URL"},
		{"header", lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    allow_unsigned: true",
			"    headers:", "      https://ops:"+pw+"@hooks.example.com/in: [a]"),
			"test.yaml:6: channels[0].headers."},
		{"syntax error", lines("channels:", "  - slack://xoxb-"+pw+"@C123: name: ops"),
			`test.yaml:2: a value holding ": " must be quoted`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}
