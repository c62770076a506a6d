package statuspage

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// requireCompact checks that the file at path is its JSON without white
// space, and a line break.
func requireCompact(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, json.Compact(&want, data), path)
	want.WriteByte('\n')
	require.Equal(t, want.String(), string(data), path)
}

// The state's files are written without white space: no one but this
// package reads them, and their indentation was about half of their
// bytes, which an incident of 50 updates naming 300 components each
// rewrites with every update (1.7 MB).
func TestStateFilesCompact(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	send(t, c, broadcast.Update{ID: "u1", IncidentID: "a", Title: "Errors <&>", Status: broadcast.StatusInvestigating,
		Time: now, Body: "b", Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded},
			{Name: "CDN", Status: broadcast.ComponentMajorOutage}}})
	site, err := filepath.EvalSymlinks(filepath.Join(dir, currentName))
	require.NoError(t, err)
	root := filepath.Dir(site)
	requireCompact(t, filepath.Join(root, stateFile))
	requireCompact(t, filepath.Join(root, incidentsDir, bucket("a")))

	st, err := loadState(root, c.cache.gen)
	require.NoError(t, err)
	require.Equal(t, c.cache.incidents["a"].Entries, st.incidents["a"].Entries, "read again")
}

// The JSON API's files are written without white space, as JSON readers
// read them the same: the three that list an incident's latest 50 updates
// with the components each names were 3.3 MB each at 300 components, two
// fifths of it indentation.
func TestAPIFilesCompact(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	send(t, c, broadcast.Update{ID: "u1", IncidentID: "a", Title: "Errors <&>", Status: broadcast.StatusInvestigating,
		Time: now, Body: "b", Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}}})
	site, err := filepath.EvalSymlinks(filepath.Join(dir, currentName))
	require.NoError(t, err)
	m := newModel(&c.s, c.cache, now)
	files, err := m.api()
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for rel := range files {
		requireCompact(t, filepath.Join(site, filepath.FromSlash(rel)))
	}
}
