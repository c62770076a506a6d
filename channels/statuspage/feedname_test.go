package statuspage_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// Components whose names slug alike get feeds of their own, also when
// an update names a component after the feed another would take: two
// records of one feed wrote one file for both, and made the state one
// that no later write (after a restart, or by another process) reads.
func TestComponentFeedNamesNeverCollide(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	// "api!" slugs as "api", taken: its feed would be "api-<hash of api!>",
	// the name of the second component.
	sum := sha256.Sum256([]byte("api!"))
	taken := "api-" + hex.EncodeToString(sum[:6])
	for i, name := range []string{"api", taken, "api!"} {
		p.send(update(fmt.Sprint("incident-", i), fmt.Sprint("u", i), i, broadcast.StatusInvestigating, comp(name, broadcast.ComponentDegraded)))
	}
	feeds := map[string]string{}
	for _, li := range statuspage.Find(p.index(), "link") {
		if statuspage.Attr(li, "rel") == "alternate" {
			href := statuspage.Attr(li, "href")
			require.NotContains(t, feeds, href, "a feed of two components: %q and %q", feeds[href], statuspage.Attr(li, "title"))
			feeds[href] = statuspage.Attr(li, "title")
		}
	}
	require.Len(t, feeds, 4, "the feed of all updates and one per component")

	restarted, err := statuspage.New(statuspage.Config{Dir: p.dir, BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	_, err = restarted.Send(context.Background(), broadcast.NewMessage(update("d", "u4", 4, broadcast.StatusInvestigating)))
	require.NoError(t, err, "a write after a restart")
}
