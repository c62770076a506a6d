package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A refused channel URL that is a plain word of 6 letters or more
// ("url: channel", a webhook's "url: webhook") is hidden where it stands
// as a value the error quotes (it may be a password put in the wrong
// key, and an alias may put it in another key, whose fault quotes it),
// not inside the words and field paths the error writes itself. Before,
// every "channel" of the error was withheld: "REDACTEDs[0]: want a
// REDACTED URL (scheme://…)", and a webhook's entry read
// `channels[0] (REDACTED "hook")`.
func TestRefusedURLWordKeepsTheWords(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		wants []string
		word  string
	}{
		{"short form", lines("channels:", "  - url: &u channel", "  - kind: console", "    output: *u"),
			[]string{"test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind",
				`test.yaml:4: channels[1] (console "console"): output: unknown value "REDACTED" (want stdout or stderr)`},
			"channel"},
		{"short form, a mapping", lines("channels:", "  - url: channel", "    name: ops"),
			[]string{"test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"}, "channel"},
		{"a text entry", lines("channels:", "  - &u channel", "  - kind: console", "    output: *u"),
			[]string{"test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind",
				`test.yaml:4: channels[1] (console "console"): output: unknown value "REDACTED" (want stdout or stderr)`},
			"channel"},
		{"a webhook's url", lines("channels:", "  - kind: webhook", "    url: &u webhook", "    name: hook",
			"    allow_unsigned: true", "  - kind: console", "    output: *u"),
			[]string{`test.yaml:3: channels[0] (webhook "hook"): url: not an absolute http or https URL`,
				`test.yaml:7: channels[1] (console "console"): output: unknown value "REDACTED" (want stdout or stderr)`},
			"webhook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			for _, want := range tt.wants {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), `"`+tt.word+`"`)
		})
	}
}

// Such a word that the file writes again elsewhere (a password put in
// the url key and in another), where a fault may write it without
// quotes ("templates: … does not exist"), is still hidden wherever it
// stands.
func TestRefusedURLWordWrittenElsewhereHidden(t *testing.T) {
	_, _, err := parse(t, lines("templates: letmeinnow", "channels:", "  - url: letmeinnow",
		"  - kind: console", "    output: letmeinnow"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:1: templates: ")
	assert.Contains(t, err.Error(), `output: unknown value "REDACTED"`)
	assert.NotContains(t, err.Error(), "letmeinnow")
}
