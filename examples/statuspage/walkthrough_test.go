package main

import (
	"context"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// The README's walkthrough serves this program's first page, then sends
// updates to it with examples/announce/local.yaml: the page those updates
// write keeps the components' descriptions and the header's links this
// program drew, with its title and URL.
func TestWalkthroughConfigKeepsThePage(t *testing.T) {
	want := pageConfig(options{dir: "unused", base: "http://127.0.0.1:8080/", title: "Example Status"})

	raw, err := os.ReadFile(filepath.Join("..", "announce", "local.yaml"))
	require.NoError(t, err)
	var file struct {
		Channels []map[string]any `yaml:"channels"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &file))
	var entry map[string]any
	for _, c := range file.Channels {
		if c["kind"] == "statuspage" {
			entry = c
		}
	}
	require.NotNil(t, entry, "local.yaml has a statuspage channel")
	assert.Equal(t, want.BaseURL, entry["base_url"])
	assert.Equal(t, want.Branding.Title, entry["title"])

	// That channel alone, in a directory of the test's.
	dir := t.TempDir()
	entry["dir"] = filepath.Join(dir, "site")
	one, err := yaml.Marshal(map[string]any{"channels": []any{entry}})
	require.NoError(t, err)
	path := filepath.Join(dir, "outagecast.yaml")
	require.NoError(t, os.WriteFile(path, one, 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	b, err := cfg.Open(cfg.Options())
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Send(context.Background(), broadcast.Update{IncidentID: "cdn-42", Title: "Elevated CDN error rates",
		Status: broadcast.StatusInvestigating, Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}}})
	require.NoError(t, err)

	index, err := os.ReadFile(filepath.Join(dir, "site", "current", "index.html"))
	require.NoError(t, err)
	for _, c := range want.Components {
		assert.True(t, strings.Contains(string(index), html.EscapeString(c.Name)), "component %s missing", c.Name)
		assert.True(t, strings.Contains(string(index), html.EscapeString(c.Description)),
			"component %s: description %q missing", c.Name, c.Description)
	}
	for _, l := range want.Branding.Links {
		assert.True(t, strings.Contains(string(index), html.EscapeString(l.Text)), "link %q missing", l.Text)
		assert.True(t, strings.Contains(string(index), html.EscapeString(l.URL)), "link %q missing", l.URL)
	}
}
