package statuspage

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Entries published before an entry recorded the date of its id keep the
// id they had, of their Time's date, also once retracted and sent again:
// readers hold them under it.
func TestEntryIDOfOlderStateKept(t *testing.T) {
	c, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	st := newState(time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC))
	old := entry{ID: "a1", Title: "T", Status: "investigating", Time: time.Date(2025, 3, 10, 11, 0, 0, 0, time.UTC), Seq: 1}
	st.put(&incident{ID: "a", File: "a", Entries: []entry{old}})
	const id = "tag:status.example.com,2025-03-10:update/a1"
	m := newModel(&c.s, st, st.Created)
	assert.Equal(t, id, m.atomEntry(m.feedItems()[0]).ID)

	now := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	_, found := st.retract("a1", now)
	require.True(t, found)
	m = newModel(&c.s, st, now)
	assert.Equal(t, id, m.retractedID(st.Retractions[0]))
	again := old
	again.Time = now
	_, added, err := st.add("a", again, now)
	require.NoError(t, err)
	require.True(t, added)
	m = newModel(&c.s, st, now)
	assert.Equal(t, id, m.atomEntry(m.feedItems()[0]).ID)
}
