package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A URL written in a key that wants no URL (a channel URL given as its
// kind, a templates directory, a file to read) is never quoted in the
// error, as the package documentation promises of every URL: it may hold
// credentials. Before, these errors quoted it whole.
func TestURLInAKeyOfNoURLNotQuoted(t *testing.T) {
	const pw = "Sup3rSecretPassw0rd"
	const u = "https://ops:" + pw + "@hooks.example.com/in"
	tests := []struct{ name, yaml, want string }{
		{"kind", lines("channels:", "  - kind: slack://xoxb-"+pw+"@C123"), "test.yaml:2: channels[0]: kind: unknown value, a URL"},
		{"type", lines("channels:", "  - type: "+u), "test.yaml:2: channels[0]: type: unknown value, a URL"},
		{"templates", lines("templates: "+u, "channels: [{kind: console}]"), "test.yaml:1: templates: a URL"},
		{"statuspage templates", lines("channels:", "  - {kind: statuspage, dir: site, base_url: https://status.example.com/, templates: \""+u+"\"}"),
			"test.yaml:2: channels[0] (statuspage \"statuspage\"): templates: a URL"},
		{"console output", lines("channels:", "  - {kind: console, output: \""+u+"\"}"), "output: unknown value, a URL"},
		{"when statuses", lines("channels:", "  - {kind: console, when: {statuses: [\""+u+"\"]}}"),
			"test.yaml:2: channels[0].when.statuses[0]: unknown value, a URL"},
		{"when impacts", lines("channels:", "  - {kind: console, when: {impacts: [\""+u+"\"]}}"),
			"test.yaml:2: channels[0].when.impacts[0]: unknown value, a URL"},
		{"file", lines("channels:", "  - {kind: webhook, url: https://hooks.example.com/in, secret: \"${file:"+u+"}\"}"),
			"test.yaml:2: channels[0].secret: ${file:…}: a URL"},
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
