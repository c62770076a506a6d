package statuspage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
