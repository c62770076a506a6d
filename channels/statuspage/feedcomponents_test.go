package statuspage_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// manyComponents returns n components, C0 to C<n-1>, and n of an update,
// naming them all with statuses in turn.
func manyComponents(n int) ([]statuspage.ComponentInfo, []broadcast.Component) {
	statuses := []broadcast.ComponentStatus{broadcast.ComponentMajorOutage, broadcast.ComponentPartialOutage,
		broadcast.ComponentDegraded, broadcast.ComponentMaintenance, broadcast.ComponentOperational}
	infos := make([]statuspage.ComponentInfo, n)
	comps := make([]broadcast.Component, n)
	for i := range n {
		infos[i] = statuspage.ComponentInfo{Name: fmt.Sprint("C", i)}
		comps[i] = comp(infos[i].Name, statuses[i%len(statuses)])
	}
	return infos, comps
}

// itemOf returns the entry of f whose id ends with "update/"+id.
func itemOf(t *testing.T, f *gofeed.Feed, id string) *gofeed.Item {
	t.Helper()
	require.NotNil(t, f, "the feed")
	for _, it := range f.Items {
		if strings.HasSuffix(it.GUID, "update/"+id) {
			return it
		}
	}
	require.Failf(t, "no entry", "of %s in %s", id, f.Title)
	return nil
}

// affects returns the components an entry's content says the update
// affects, as written.
func affects(t *testing.T, it *gofeed.Item) string {
	t.Helper()
	_, list, ok := strings.Cut(it.Content, "<p>Affects: ")
	require.True(t, ok, "the entry's Affects: %s", it.Content)
	list, _, _ = strings.Cut(list, "</p>")
	return list
}

// An update naming more components than an entry of a component's feed
// names in full (an outage of a whole region) has a short entry in each
// component's feed: its title, status and link, and that component's
// status first, with how many more it affects; its categories are its
// status and that component (the parser gives their labels). What it
// said (body, advice) is on its incident's page, which the entry links
// to, and in the feed of all updates, which names every component, as the
// incident's page does. (Before, each component's entry held the body and
// advice and named ten components: each write of such an update rewrote
// hundreds of feeds of such entries whole.)
func TestComponentFeedSaysItsOwnStatus(t *testing.T) {
	infos, comps := manyComponents(13)
	p := newPage(t, statuspage.Config{Components: infos})
	u := update("region", "all", 0, broadcast.StatusIdentified, comps...)
	u.Advice = "Retry later."
	p.send(u)
	site := p.site()

	for i, c := range comps {
		it := itemOf(t, site.Feeds["components/c"+fmt.Sprint(i)+".atom"], "all")
		assert.Equal(t, "Elevated error rates on the API — Identified", it.Title, "%s's feed", c.Name)
		assert.Contains(t, it.Content, "<p><strong>Identified</strong></p>", "%s's feed: the update's status", c.Name)
		assert.NotContains(t, it.Content, "Retry later.", "%s's feed: the advice is on the incident's page", c.Name)
		assert.NotContains(t, it.Content, "Update all of region.", "%s's feed: the body is on the incident's page", c.Name)
		assert.Contains(t, it.Content, "the incident page", "%s's feed", c.Name)
		assert.True(t, strings.HasPrefix(it.Link, "https://status.example.com/incidents/region.html#update-"), it.Link)
		assert.NotEmpty(t, it.Published, "%s's feed", c.Name)
		assert.NotEmpty(t, it.Updated, "%s's feed", c.Name)
		assert.Equal(t, c.Name+" ("+c.Status.Label()+") and 12 more components", affects(t, it), "%s's feed", c.Name)
		assert.Equal(t, []string{"Identified", c.Name}, it.Categories, "%s's feed", c.Name)
	}

	all := itemOf(t, site.Feeds["history.atom"], "all")
	var want []string
	for _, c := range comps {
		want = append(want, c.Name+" ("+c.Status.Label()+")")
	}
	assert.Equal(t, strings.Join(want, ", "), affects(t, all), "the feed of all updates")
	assert.Contains(t, all.Content, "Retry later.", "the feed of all updates: the advice")
	assert.Contains(t, all.Content, "Update all of region.", "the feed of all updates: the body")
	assert.Len(t, all.Categories, 14, "the feed of all updates: its status and every component")
	assert.Equal(t, all.GUID, itemOf(t, site.Feeds["components/c12.atom"], "all").GUID, "the entry's id, in every feed")
}

// An entry of such an update in the feed of a component that it does not
// name (a later update of an incident that named it) says how many
// components it affects, and has no category of a component.
func TestComponentFeedOneMoreComponent(t *testing.T) {
	infos, comps := manyComponents(12)
	p := newPage(t, statuspage.Config{Components: infos})
	p.send(update("region", "first", 0, broadcast.StatusInvestigating, comps...))
	p.send(update("region", "later", 5, broadcast.StatusIdentified, comps[1:]...))
	site := p.site()

	later := itemOf(t, site.Feeds["components/c5.atom"], "later")
	assert.Equal(t, "C5 (Major outage) and 10 more components", affects(t, later))

	later = itemOf(t, site.Feeds["components/c0.atom"], "later")
	assert.Contains(t, later.Content, "<p>Affects 11 components.</p>")
	assert.Equal(t, []string{"Identified"}, later.Categories)
	assert.Equal(t, "C0 (Major outage) and 11 more components", affects(t, itemOf(t, site.Feeds["components/c0.atom"], "first")))
}

// A component's feed holds the latest ten updates naming more than ten
// components (a long outage of a whole region), and the latest of the
// others up to Config.FeedEntries in all; the feed of all updates holds
// them all: each write of such an update rewrites every component's
// feed, which so stays small.
func TestComponentFeedHoldsTheLatestTenWideUpdates(t *testing.T) {
	infos, comps := manyComponents(11)
	p := newPage(t, statuspage.Config{Components: infos, FeedEntries: 20})
	for i := range 3 {
		p.send(update(fmt.Sprint("own-", i), fmt.Sprint("own", i), i, broadcast.StatusInvestigating, comps[0]))
	}
	for i := range 14 {
		p.send(update("region", fmt.Sprint("wide", i), 10+i, broadcast.StatusIdentified, comps...))
	}
	site := p.site()

	require.Len(t, site.Feeds["history.atom"].Items, 17, "the feed of all updates")
	for i := range comps {
		f := site.Feeds["components/c"+fmt.Sprint(i)+".atom"]
		want := 10
		if i == 0 {
			want = 13 // and its own three
		}
		require.Len(t, f.Items, want, "C%d's feed", i)
		for j := range 4 {
			for _, it := range f.Items {
				assert.False(t, strings.HasSuffix(it.GUID, fmt.Sprint("update/wide", j)), "C%d's feed holds wide%d, older than the latest ten", i, j)
			}
		}
		itemOf(t, f, "wide13")
		itemOf(t, f, "wide4")
	}
	for i := range 3 {
		itemOf(t, site.Feeds["components/c0.atom"], fmt.Sprint("own", i))
	}
}

// An update naming ten components or fewer has the same entry in every
// feed that holds it, naming them all in its order.
func TestEntryTheSameInEveryFeedUpToTheCap(t *testing.T) {
	infos, comps := manyComponents(10)
	p := newPage(t, statuspage.Config{Components: infos})
	p.send(update("region", "ten", 0, broadcast.StatusIdentified, comps...))
	site := p.site()

	all := itemOf(t, site.Feeds["history.atom"], "ten")
	assert.NotContains(t, all.Content, "more component")
	for i := range comps {
		it := itemOf(t, site.Feeds["components/c"+fmt.Sprint(i)+".atom"], "ten")
		assert.Equal(t, all.Content, it.Content, "C%d's feed", i)
		assert.Equal(t, all.Categories, it.Categories, "C%d's feed", i)
	}
}
