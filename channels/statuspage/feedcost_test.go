package statuspage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update naming one component of many re-renders, reads or writes the
// feed of that component only: the other components' feeds, which did
// not change, are linked from the previous version without being read,
// so a write costs what changed, not components x updates.
func TestWriteTouchesOnlyTheFeedsThatChanged(t *testing.T) {
	const n = 40
	dir := t.TempDir()
	var infos []ComponentInfo
	for i := range n {
		infos = append(infos, ComponentInfo{Name: fmt.Sprintf("Component %d", i)})
	}
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/", Components: infos})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	for i := range n {
		send(t, c, broadcast.Update{ID: fmt.Sprintf("u%d", i), IncidentID: fmt.Sprintf("i%d", i), Title: "Errors",
			Status: broadcast.StatusResolved, Time: now.Add(-time.Hour),
			Components: []broadcast.Component{{Name: infos[i].Name, Status: broadcast.ComponentOperational}}})
	}
	now = now.Add(time.Minute)
	send(t, c, broadcast.Update{ID: "new", IncidentID: "new", Title: "Latency", Status: broadcast.StatusInvestigating,
		Time: now, Components: []broadcast.Component{{Name: "Component 7", Status: broadcast.ComponentDegraded}}})

	var feedsRead []string
	for _, rel := range c.stats.read {
		if strings.HasPrefix(rel, siteName+"/components/") && rel != siteName+"/components/component-7.atom" {
			feedsRead = append(feedsRead, rel)
		}
	}
	assert.Empty(t, feedsRead, "the other components' feeds read to compare")
	prev := filepath.Join(dir, versionsName, versionName(n), siteName, "components")
	cur := filepath.Join(dir, currentName, "components")
	for i := range n {
		name := fmt.Sprintf("component-%d.atom", i)
		a, err := os.Stat(filepath.Join(prev, name))
		require.NoError(t, err)
		b, err := os.Stat(filepath.Join(cur, name))
		require.NoError(t, err)
		assert.Equal(t, i != 7, os.SameFile(a, b), "%s linked from the previous version", name)
	}
}
