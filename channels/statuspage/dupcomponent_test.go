package statuspage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A component named twice in one update (Send refuses that, but a state
// file edited by hand or written by an older version may hold it, also
// under names that differ only in case or spacing) is one component: the
// state loader keeps it once, at its first place, with the status of its
// last copy, which the incident's page shows; its feed entry says that
// status, not the first copy's.
func TestStateMergesComponentNamedTwice(t *testing.T) {
	dir := t.TempDir()
	const st = `{"format": 1, "nonce": "n", "created": "2025-03-14T10:00:00Z", "updated": "2025-03-14T11:00:00Z",
  "seq": 1, "render": "r", "components": [{"name": "API", "feed": "api", "created": "2025-03-14T10:00:00Z"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), []byte(st), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, incidentsDir), 0o755))
	comps := `{"name": "API", "status": "degraded_performance"}, {"name": "CDN", "status": "partial_outage"}`
	for i := range 10 {
		comps += `, {"name": "C` + string(rune('0'+i)) + `", "status": "operational"}`
	}
	comps += `, {"name": " api ", "status": "major_outage"}`
	in := `[{"id": "a", "file": "a", "updates": [{"id": "a1", "title": "T", "status": "investigating",
  "components": [` + comps + `], "time": "2025-03-14T11:00:00Z", "seq": 1}]}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, incidentsDir, bucket("a")), []byte(in), 0o644))

	s, err := loadState(dir, 1)
	require.NoError(t, err)
	got := s.incidents["a"].Entries[0].Components
	require.Len(t, got, 12, "API once")
	assert.Equal(t, broadcast.Component{Name: "API", Status: broadcast.ComponentMajorOutage}, got[0])
	assert.Equal(t, "CDN", got[1].Name)

	c, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	m := newModel(&c.s, s, s.Updated)
	items := m.feedItems()
	require.Len(t, items, 1)
	e := m.feedEntry(items[0], "API")
	assert.Contains(t, e.Content.Body, "API (Major outage)")
	assert.NotContains(t, e.Content.Body, "Degraded")
}
