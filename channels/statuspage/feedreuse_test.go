package statuspage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update naming every one of many components (an outage of a region)
// changes every component's feed, each holding the short entries of the
// incident's latest updates. A write renders the entries of the updates
// it added or changed, and takes the others as the write before rendered
// them: before, it rendered every entry of every feed again, in each
// component's feed the ten latest updates, so that the work of a write
// grew with the updates the feeds hold (6 × 30 entries at the sixth
// update, 2 × 30 at the second). An edit of an update renders its
// entries again, and the feeds are the same to the byte as a Channel
// with nothing to take from writes them.
func TestFeedEntriesOfEarlierUpdatesAreNotRenderedAgain(t *testing.T) {
	const n = 30 // more than feedComponents: short entries in the components' feeds
	infos := make([]ComponentInfo, n)
	comps := make([]broadcast.Component, n)
	for i := range n {
		infos[i] = ComponentInfo{Name: fmt.Sprintf("Component %d", i)}
		comps[i] = broadcast.Component{Name: infos[i].Name, Status: broadcast.ComponentDegraded}
	}
	dir := t.TempDir()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/", Components: infos})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	var updates []broadcast.Update
	var rendered []int
	for i := range 6 {
		now = now.Add(time.Minute)
		u := broadcast.Update{ID: fmt.Sprintf("u%d", i), IncidentID: "region", Title: "Outage of a region",
			Status: broadcast.StatusIdentified, Impact: broadcast.ImpactMajor, Time: now,
			Body: "We found the cause.", Components: comps}
		updates = append(updates, u)
		send(t, c, u)
		rendered = append(rendered, c.stats.entries)
	}
	assert.LessOrEqual(t, rendered[5], rendered[1], "entries rendered by the sixth write against the second: %v", rendered)

	// A correction of an earlier update, in place: its entries are
	// rendered again, and the feeds are what a Channel that renders
	// every entry afresh makes of the page.
	now = now.Add(time.Minute)
	fix := updates[2]
	fix.Body, fix.Time = "We found the cause: a bad deploy.", now
	fix.Components = append(slices.Clone(comps[:n-1]), broadcast.Component{Name: comps[n-1].Name, Status: broadcast.ComponentMajorOutage})
	_, err = c.Edit(context.Background(), broadcast.NewMessage(fix), broadcast.Receipt{ID: fix.ID})
	require.NoError(t, err)
	assert.Positive(t, c.stats.entries, "the edited update's entries")
	sameFeeds(t, c, dir, infos, now)

	now = now.Add(time.Minute)
	send(t, c, broadcast.Update{ID: "u-last", IncidentID: "region", Title: "Outage of a region",
		Status: broadcast.StatusMonitoring, Impact: broadcast.ImpactMajor, Time: now,
		Body: "A fix is out.", Components: comps})
	sameFeeds(t, c, dir, infos, now)
}

// sameFeeds checks that the feeds of c's current version are those a
// Channel with nothing rendered before renders of its state.
func sameFeeds(t *testing.T, c *Channel, dir string, infos []ComponentInfo, now time.Time) {
	t.Helper()
	fresh, err := New(Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/", Components: infos})
	require.NoError(t, err)
	files, err := fresh.siteFiles(newModel(&fresh.s, c.cache, now))
	require.NoError(t, err)
	feeds := 0
	for path, want := range files {
		if !strings.HasSuffix(path, ".atom") {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, currentName, filepath.FromSlash(path)))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), path)
		feeds++
	}
	assert.Equal(t, len(infos)+1, feeds, "the feeds compared")
}
