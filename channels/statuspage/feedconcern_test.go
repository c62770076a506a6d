package statuspage_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// An update naming few components of an incident that names many (a
// region's outage, then news of one component) is a full entry, its body
// and advice, only in the feeds of the components it names; the feed of
// each other component the incident names has a short entry of it, with
// the same id: its title, status and link, how many components it
// affects, and its status as its only category. (Before, every one of the
// incident's components' feeds held it in full: each such update rewrote
// hundreds of feeds with its body.) The resolution, naming none, changes
// the status of every component the incident named: it is a full entry in
// each feed, as the feed of all updates has it.
func TestComponentFeedFullOnlyWhereTheUpdateConcernsIt(t *testing.T) {
	infos, comps := manyComponents(12)
	p := newPage(t, statuspage.Config{Components: infos})
	p.send(update("region", "all", 0, broadcast.StatusInvestigating, comps...))
	narrow := update("region", "narrow", 1, broadcast.StatusIdentified, comp("C3", broadcast.ComponentOperational))
	narrow.Advice = "Retry later."
	p.send(narrow)
	p.send(update("region", "end", 2, broadcast.StatusResolved))
	site := p.site()

	all := itemOf(t, site.Feeds["history.atom"], "narrow")
	own := itemOf(t, site.Feeds["components/c3.atom"], "narrow")
	assert.Equal(t, all.Content, own.Content, "C3's feed: the update in full")
	assert.Equal(t, all.Categories, own.Categories, "C3's feed")
	for i := range comps {
		if i == 3 {
			continue
		}
		f := site.Feeds[fmt.Sprint("components/c", i, ".atom")]
		it := itemOf(t, f, "narrow")
		assert.Equal(t, all.GUID, it.GUID, "C%d's feed: the entry's id", i)
		assert.Equal(t, all.Title, it.Title, "C%d's feed", i)
		assert.Equal(t, all.Link, it.Link, "C%d's feed", i)
		assert.Contains(t, it.Content, "<p><strong>Identified</strong></p>", "C%d's feed: its status", i)
		assert.Contains(t, it.Content, "<p>Affects 1 component.</p>", "C%d's feed", i)
		assert.Contains(t, it.Content, "the incident page", "C%d's feed", i)
		assert.NotContains(t, it.Content, "Retry later.", "C%d's feed: the advice is on the incident's page", i)
		assert.NotContains(t, it.Content, "Update narrow of region.", "C%d's feed: the body is on the incident's page", i)
		assert.Equal(t, []string{"Identified"}, it.Categories, "C%d's feed", i)

		end := itemOf(t, f, "end")
		require.NotNil(t, end)
		assert.Contains(t, end.Content, "Update end of region.", "C%d's feed: the resolution in full", i)
	}
}
