package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A line that breaks the file names its key by its full path
// ("channels[0].password: "), as every other fault of config does, the
// checks of a file that parses ("channels[0].password: a tag of its own")
// among them. Before, the YAML library's errors named the key as the line
// wrote it ("password: "), which does not say which channel's it is; they
// still never quote the value.
func TestSyntaxErrorNamesFullPath(t *testing.T) {
	const pw = "Pa55-w0rd-8c1f2e"
	tests := []struct{ name, yaml, want string }{
		{"block header", emailWithPassword("|" + pw), `test.yaml:7: channels[0].password: quote a value that starts with "|"`},
		{"alias", emailWithPassword("*" + pw), "test.yaml:7: channels[0].password: unknown anchor"},
		{"reserved", emailWithPassword("@" + pw), `test.yaml:7: channels[0].password: quote a value that starts with "@"`},
		{"second channel", lines("channels:", "  - console://", "  - kind: telegram", "    token: \"123456:ABCdefGHIjklMNOpqrSTUvwxYZ\"",
			"    chats: [-1001234567890, @status]"), `test.yaml:5: channels[1].chats: quote a value that starts with "@"`},
		{"header", lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    allow_unsigned: true",
			"    headers:", "      X-Api-Key: *"+pw), "test.yaml:6: channels[0].headers.X-Api-Key: unknown anchor"},
		{"no space after colon", lines("channels:", "  - kind: webhook", "    url:https://hooks.example.com/in", "    allow_unsigned: true"),
			`test.yaml:3: channels[0].url: a space after ":" missing`},
		{"value holding a colon", lines("channels:", "  - kind: statuspage", "    dir: site", "    base_url: https://status.example.com/",
			"    title: Example: Status"), `test.yaml:5: channels[0].title: a value holding ": " must be quoted`},
		{"top level", lines("state:outagecast.db", "channels: [console://]"), `test.yaml:1: state: a space after ":" missing`},
		// A key indented to no level is named at the level of the
		// lines before it that it most likely belongs to.
		{"indented too far", lines("channels:", "  - kind: email", "    host: smtp.example.com", "     port: 587"),
			"test.yaml:4: channels[0].port: check the indentation"},
		{"indented too little", lines("retry:", "  max_attempts: 3", " max_interval: 1s", "channels: [console://]"),
			"test.yaml:3: retry.max_interval: check the indentation"},
		{"entry indented to no level", lines("channels:", "  - kind: console", "    concurrency: 2", "   - kind: console"),
			"test.yaml:4: channels[1].kind: check the indentation"},
		{"tab", lines("channels:", "  - kind: email", "    host: smtp.example.com", "\tport: 587"),
			"test.yaml:4: channels[0].port: tab in the indentation"},
		{"nested", lines("retry:", "  max_attempts: @3", "channels: [console://]"), `test.yaml:2: retry.max_attempts: quote a value`},
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
