package statuspage

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A state file written before retractions were kept for the feeds, in
// the same format, loads: it has no retractions, and a retraction from
// it is recorded.
func TestStateWithoutRetractionsLoads(t *testing.T) {
	dir := t.TempDir()
	const old = `{"format": 1, "nonce": "n", "created": "2025-03-14T10:00:00Z", "updated": "2025-03-14T11:00:00Z",
  "retracted": "2025-03-14T10:30:00Z", "seq": 1, "render": "r", "components": [{"name": "API", "feed": "api", "created": "2025-03-14T10:00:00Z"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), []byte(old), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, incidentsDir), 0o755))
	in := `[{"id": "a", "file": "a", "updates": [{"id": "a1", "title": "T", "status": "investigating",
  "components": [{"name": "API", "status": "degraded_performance"}], "time": "2025-03-14T11:00:00Z", "seq": 1}]}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, incidentsDir, bucket("a")), []byte(in), 0o644))

	st, err := loadState(dir, 1)
	require.NoError(t, err)
	assert.Empty(t, st.Retractions)
	next := st.clone()
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	_, found := next.retract("a1", now)
	require.True(t, found)
	require.Len(t, next.Retractions, 1)
	assert.Equal(t, retraction{ID: "a1", IncidentID: "a", Time: now.Add(-time.Hour), Retracted: now,
		Components: []string{"API"}, Seq: 2}, *next.Retractions[0])
	assert.Empty(t, st.Retractions, "the state read is not changed")
}

// feedIDs returns the id of every entry of st's feeds, by update ID,
// retracted ones too.
func feedIDs(t *testing.T, st *state) map[string]string {
	t.Helper()
	c, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	m := newModel(&c.s, st, st.Updated)
	ids := map[string]string{}
	for _, it := range m.feedItems() {
		if it.r != nil {
			ids[it.r.ID] = m.retractedID(it.r)
			continue
		}
		ids[it.e.ID] = m.atomEntry(it).ID
	}
	return ids
}

// A state file written before an entry recorded the date of its id (no
// "dated"), read, changed and written back, keeps the ids its feeds
// published, of their updates' Time: an entry edited, an update retracted
// then and sent again on another day; an update new to the page gets the
// day it reached the page. Read again, every id is the same.
func TestOlderStateFileKeepsFeedIDs(t *testing.T) {
	dir := t.TempDir()
	const old = `{"format": 1, "nonce": "n", "created": "2025-03-14T10:00:00Z", "updated": "2025-03-14T11:30:00Z",
  "retracted": "2025-03-14T11:30:00Z", "seq": 3, "render": "r", "components": [{"name": "API", "feed": "api", "created": "2025-03-14T10:00:00Z"}],
  "retractions": [{"id": "a2", "incident": "a", "time": "2025-03-12T09:00:00Z", "retracted": "2025-03-14T11:30:00Z", "components": ["API"], "seq": 3}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), []byte(old), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, incidentsDir), 0o755))
	in := `[{"id": "a", "file": "a", "updates": [{"id": "a1", "title": "T", "status": "investigating",
  "components": [{"name": "API", "status": "degraded_performance"}], "time": "2025-03-10T11:00:00Z", "seq": 1}]}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, incidentsDir, bucket("a")), []byte(in), 0o644))

	st, err := loadState(dir, 1)
	require.NoError(t, err)
	published := map[string]string{
		"a1": "tag:status.example.com,2025-03-10:update/a1",
		"a2": "tag:status.example.com,2025-03-12:update/a2",
	}
	assert.Equal(t, published, feedIDs(t, st))

	next := st.clone()
	now := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	comps := []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}}
	_, found, changed, err := next.edit("a1", entry{ID: "a1", Title: "T", Body: "fixed", Status: "investigating", Components: comps, Time: now}, now)
	require.NoError(t, err)
	require.True(t, found && changed)
	for _, e := range []entry{
		{ID: "a2", Title: "T", Status: "identified", Components: comps, Time: now}, // sent again on another day
		{ID: "a3", Title: "T", Status: "monitoring", Components: comps, Time: now},
	} {
		_, added, err := next.add("a", e, now)
		require.NoError(t, err)
		require.True(t, added)
	}
	next.Updated = now
	want := maps.Clone(published)
	want["a3"] = "tag:status.example.com,2025-03-20:update/a3"
	assert.Equal(t, want, feedIDs(t, next))

	// Written back as a version is, and read again.
	again := t.TempDir()
	data, err := json.MarshalIndent(next, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(again, stateFile), data, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(again, incidentsDir), 0o755))
	for name, list := range next.byBucket() {
		data, err := json.MarshalIndent(list, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(again, incidentsDir, name), data, 0o644))
	}
	read, err := loadState(again, 2)
	require.NoError(t, err)
	assert.Equal(t, want, feedIDs(t, read))
	assert.Equal(t, want, feedIDs(t, read.clone()))
}

// A state file written before the state recorded the date of the
// retractions it dropped (no "pruned") may have dropped some: a version
// before could have dropped, the day it last wrote, the retraction of an
// update whose ID comes again. Read, it is taken to have dropped
// retractions up to the date of its latest write or retraction, the latest
// date the id of one it dropped can hold: an update new to the page that
// day gets an id of its own, never the dropped one's; one of a later day
// gets that day's. A file of this version records "pruned" also when
// nothing was dropped: read again, an update gets the day's id.
func TestStateWithoutPrunedTakenAsPruned(t *testing.T) {
	dir := t.TempDir()
	// The retraction of "x", of 2025-03-14, was dropped that day (beyond
	// the most kept), by a version that did not record it.
	const old = `{"format": 1, "nonce": "n", "created": "2025-03-14T10:00:00Z", "updated": "2025-03-14T11:00:00Z",
  "retracted": "2025-03-14T10:30:00Z", "seq": 3, "render": "r", "components": [{"name": "API", "feed": "api", "created": "2025-03-14T10:00:00Z"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), []byte(old), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, incidentsDir), 0o755))
	in := `[{"id": "a", "file": "a", "updates": [{"id": "a1", "title": "T", "status": "investigating",
  "components": [{"name": "API", "status": "degraded_performance"}], "time": "2025-03-14T10:00:00Z", "seq": 1, "dated": "2025-03-14"}]}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, incidentsDir, bucket("a")), []byte(in), 0o644))

	st, err := loadState(dir, 1)
	require.NoError(t, err)
	next := st.clone()
	comps := []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}}
	sameDay := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	_, added, err := next.add("a", entry{ID: "x", Title: "T", Status: "identified", Components: comps, Time: sameDay}, sameDay)
	require.NoError(t, err)
	require.True(t, added)
	nextDay := sameDay.Add(24 * time.Hour)
	_, added, err = next.add("a", entry{ID: "y", Title: "T", Status: "identified", Components: comps, Time: nextDay}, nextDay)
	require.NoError(t, err)
	require.True(t, added)
	ids := feedIDs(t, next)
	assert.Equal(t, "tag:status.example.com,2025-03-14:4:update/x", ids["x"], "the update of the day of the dropped retraction")
	assert.Equal(t, "tag:status.example.com,2025-03-15:update/y", ids["y"])
	assert.Equal(t, "tag:status.example.com,2025-03-14:update/a1", ids["a1"], "the id published")

	// A state of this version, nothing dropped, written and read again.
	fresh := newState(nextDay)
	again := t.TempDir()
	data, err := json.MarshalIndent(fresh, "", "  ")
	require.NoError(t, err)
	require.Contains(t, string(data), `"pruned": ""`)
	require.NoError(t, os.WriteFile(filepath.Join(again, stateFile), data, 0o644))
	read, err := loadState(again, 1)
	require.NoError(t, err)
	assert.Empty(t, read.Pruned)
}
