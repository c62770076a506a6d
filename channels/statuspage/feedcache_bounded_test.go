package statuspage

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The feed entries a Channel keeps from write to write (see feedCache)
// are those the feeds of the last version hold: however many incidents
// the page had, it keeps no more updates than those feeds list, and no
// more entries than they hold.
func TestFeedCacheHoldsOnlyTheLastVersionsEntries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/", FeedEntries: 3})
	require.NoError(t, err)
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	for i := range 40 {
		now = now.Add(time.Minute)
		send(t, c, broadcast.Update{ID: fmt.Sprint("u", i), IncidentID: fmt.Sprint("inc", i), Title: "T",
			Status: broadcast.StatusResolved, Body: "B.",
			Components: []broadcast.Component{{Name: fmt.Sprint("C", i%2), Status: broadcast.ComponentOperational}}})
		held := 0 // the entries the feeds hold
		err := filepath.WalkDir(filepath.Join(dir, currentName)+string(filepath.Separator), func(p string, d os.DirEntry, err error) error {
			if err != nil || !strings.HasSuffix(p, ".atom") {
				return err
			}
			b, err := os.ReadFile(p)
			held += bytes.Count(b, []byte("<entry>"))
			return err
		})
		require.NoError(t, err)
		require.Positive(t, held, "entries in the feeds after write %d", i)
		require.LessOrEqual(t, len(c.feeds.seen), 3*3, "updates kept after write %d: the feed of all and two components' feeds list 3 each", i)
		require.LessOrEqual(t, len(c.feeds.xml), held, "entries kept after write %d", i)
	}
}
