package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A refused url: that is a plain lower-case word no error writes itself
// (a password put in the wrong key, "url: hunterpassword") is hidden
// wherever it stands in Load's error, not only inside quotes: a fault may
// write it without quotes where an alias puts it (templates: *u,
// "templates: … does not exist (…)", a file path) or where the file names
// it otherwise than as a value (a templates file of that name, "templates:
// ….tmpl: no channel renders …"). Before, each of these wrote the word.
func TestRefusedURLWordUnquotedHidden(t *testing.T) {
	const pw = "hunterpassword"
	tests := []struct{ name, yaml string }{
		{"an alias in templates", lines("channels:", "  - url: &u "+pw, "templates: *u")},
		{"an alias in a CA file", lines("channels:", "  - url: &u "+pw, "  - kind: irc", "    server: irc.example.com:6697",
			"    nick: bot", "    channels: ['#ops']", "    ca_file: *u")},
		{"an alias in a page's directory", lines("channels:", "  - url: &u "+pw, "  - kind: statuspage",
			"    base_url: https://status.example.com/", "    dir: site", "    templates: *u")},
		{"a templates file of that name", lines("channels:", "  - url: "+pw, "templates: tmpl")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(dir, "tmpl"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "tmpl", pw+".tmpl"), []byte("{{.Title}}"), 0o600))
			_, err := parseIn(dir, tt.yaml, config.Loader{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind")
			assert.NotContains(t, err.Error(), pw)
		})
	}
}
