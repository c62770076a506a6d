package statuspage

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// writtenNamingAll returns the bytes the last of updates writes, each
// update naming every one of n components of the page: the outage of a
// whole region, in the feed of each component.
func writtenNamingAll(t *testing.T, n, updates int) int64 {
	t.Helper()
	infos := make([]ComponentInfo, n)
	comps := make([]broadcast.Component, n)
	for i := range n {
		infos[i] = ComponentInfo{Name: fmt.Sprintf("Component %d", i)}
		comps[i] = broadcast.Component{Name: infos[i].Name, Status: broadcast.ComponentMajorOutage}
	}
	c, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/", Components: infos})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { now = now.Add(time.Minute); return now }
	for i := range updates {
		send(t, c, broadcast.Update{ID: fmt.Sprintf("u%d", i), IncidentID: "region", Title: "Outage of a region",
			Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor, Time: now,
			Body: "We found the cause and are rolling out a fix.", Components: comps})
	}
	return c.stats.bytes
}

// An update naming every component of a page is in the feed of each:
// were each of its entries there to name every component too, the bytes
// of a write would grow with the square of their number (51 MB at 300
// components and five updates). They grow with the number: ten times the
// components, less than ten times the bytes, and at most 4 KB for each
// component and update in every file (its feed's entry, and its line in
// the feed of all updates, the pages and the JSON).
func TestWriteNamingEveryComponentGrowsLinearly(t *testing.T) {
	const updates = 5
	small, large := writtenNamingAll(t, 30, updates), writtenNamingAll(t, 300, updates)
	require.Less(t, large, 10*small, "bytes written at 300 components (%d at 30)", small)
	require.Less(t, large, int64(300*updates*4<<10), "bytes written at 300 components")
}
