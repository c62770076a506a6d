package statuspage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A state file of a version that counted the time an update turned its
// incident (see entry.Turned) as a change of the incident, in its
// updated, keeps the updated that version published: its page's "Last
// updated" and its updated_at in the JSON do not go back (from 13:00, b's
// turn, to 11:30, a's edit) when this version reads it, nor when it
// writes it back and reads it again; b's entry in C1's feed keeps its
// updated too. The incident's page, not rendered again until the incident
// changes, so says what its JSON says.
func TestOlderTurnKeepsIncidentUpdated(t *testing.T) {
	dir := t.TempDir()
	const old = `{"format": 1, "nonce": "n", "created": "2025-03-14T10:00:00Z", "updated": "2025-03-14T13:00:00Z",
  "seq": 3, "render": "r", "pruned": "", "components": [{"name": "C1", "feed": "c1", "created": "2025-03-14T10:00:00Z"},
  {"name": "C2", "feed": "c2", "created": "2025-03-14T10:00:00Z"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), []byte(old), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, incidentsDir), 0o755))
	const incidents = `[{"id": "x", "file": "x", "updates": [
  {"id": "a", "title": "T", "status": "resolved", "components": [{"name": "C1", "status": "major_outage"}],
   "time": "2025-03-14T11:00:00Z", "edited": "2025-03-14T11:30:00Z", "seq": 1, "dated": "2025-03-14"},
  {"id": "b", "title": "T", "status": "identified", "components": [{"name": "C2", "status": "degraded_performance"}],
   "time": "2025-03-14T11:01:00Z", "turned": "2025-03-14T13:00:00Z", "seq": 2, "dated": "2025-03-14"},
  {"id": "c", "title": "T", "status": "monitoring", "components": [{"name": "C1", "status": "operational"}],
   "time": "2025-03-14T11:02:00Z", "seq": 3, "dated": "2025-03-14"}]}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, incidentsDir, bucket("x")), []byte(incidents), 0o644))
	c, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	turned := time.Date(2025, 3, 14, 13, 0, 0, 0, time.UTC)
	check := func(st *state, when string) {
		t.Helper()
		m := newModel(&c.s, st, st.Updated)
		in := st.incidents["x"]
		require.NotNil(t, in, when)
		assert.Equal(t, turned, m.incident(in, 1).Updated, "%s: the incident's updated, as published", when)
		assert.Equal(t, turned, m.updated(feedItem{in: in, e: &in.Entries[1]}, "C1"), "%s: b's updated in C1's feed", when)
	}

	st, err := loadState(dir, 1)
	require.NoError(t, err)
	check(st, "read")

	again := t.TempDir()
	data, err := json.Marshal(st)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(again, stateFile), data, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(again, incidentsDir), 0o755))
	for name, list := range st.byBucket() {
		data, err := json.Marshal(list)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(again, incidentsDir, name), data, 0o644))
	}
	read, err := loadState(again, 2)
	require.NoError(t, err)
	check(read, "written back and read again")
}
