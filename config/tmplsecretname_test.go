package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A templates file that no channel renders, named as a secret the file
// writes that is too short to be hidden wherever it stands (a password
// "Qz7k", of an entry refused or not), is reported without its name: the
// names' checks take such a value for a secret whatever its length, and
// do not quote it. Before, the fault read `templates: Qz7k.tmpl: no
// channel renders a template "Qz7k"`, the password twice.
func TestTemplateFileNamedAsShortSecretNotQuoted(t *testing.T) {
	const pw = "Qz7k"
	email := []string{"  - kind: email", "    host: h", "    from: s@example.com", "    to: [a@example.com]", "    username: u", "    password: " + pw}
	tests := []struct {
		name, yaml, want string
	}{
		{"an entry built", lines(append(append([]string{"channels:"}, email...), "templates: tmpl")...), ""},
		{"an entry refused", lines(append(append([]string{"channels:"}, email...), "    port: x", "templates: tmpl")...),
			`test.yaml:8: channels[0].port: want a whole number, got "x"`},
		{"a refused URL's password", lines("channels:", "  - smtp://u:"+pw+"@h:587/?from=s@example.com&to=a@example.com&nope=1", "templates: tmpl"),
			`test.yaml:2: channels[0] (email "email"): URL: query parameter "nope": unknown`},
		{"a refused URL", lines("channels:", "  - url: "+pw, "templates: tmpl"),
			"test.yaml:2: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(dir, "tmpl"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "tmpl", pw+".tmpl"), []byte("{{.Title}}"), 0o600))
			_, err := parseIn(dir, tt.yaml, config.Loader{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "templates: a file named as a secret written in the channels (not quoted: it may be a secret): no channel renders its template")
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), pw)
		})
	}
}

// The same for such a file that templates.New refuses too (it does not
// parse): its error names the file, and the template, as the file's name.
// Before, it read `templates: Qz7k.tmpl: parse: template: Qz7k:1: …`.
func TestTemplateFileNamedAsShortSecretRefusedNotQuoted(t *testing.T) {
	const pw = "Qz7k"
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "tmpl"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tmpl", pw+".tmpl"), []byte("{{.Title"), 0o600))
	_, err := parseIn(dir, lines("channels:", "  - url: "+pw, "templates: tmpl"), config.Loader{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:3: templates: a file named as a secret written in the channels (not quoted: it may be a secret): "+
		"not a template templates.New takes (its error, which names it, not shown); and no channel renders its template")
	assert.NotContains(t, err.Error(), pw)
}
