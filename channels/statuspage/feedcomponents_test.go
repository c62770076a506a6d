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
// names (an outage of a whole region) says in each component's feed that
// component's status first, then ten components in all and how many more
// it affects; its categories are its status and the components it names
// there (the parser gives their labels). The feed of all updates names them all, as the incident's page
// does.
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
		assert.Contains(t, it.Content, "What you can do:</strong> Retry later.", "%s's feed: the advice", c.Name)
		assert.Contains(t, it.Content, "Update all of region.", "%s's feed: the body", c.Name)
		assert.True(t, strings.HasPrefix(it.Link, "https://status.example.com/incidents/region.html#update-"), it.Link)

		var want []string
		cats := []string{"Identified"} // the labels, as the parser gives them
		for _, o := range append([]broadcast.Component{c}, comps...) {
			if len(want) == 10 {
				break
			}
			if o.Name == c.Name && len(want) > 0 {
				continue
			}
			want = append(want, o.Name+" ("+o.Status.Label()+")")
			cats = append(cats, o.Name)
		}
		want = append(want, "and 3 more components")
		assert.Equal(t, strings.Join(want, ", "), affects(t, it), "%s's feed", c.Name)
		assert.Equal(t, cats, it.Categories, "%s's feed", c.Name)
	}

	all := itemOf(t, site.Feeds["history.atom"], "all")
	var want []string
	for _, c := range comps {
		want = append(want, c.Name+" ("+c.Status.Label()+")")
	}
	assert.Equal(t, strings.Join(want, ", "), affects(t, all), "the feed of all updates")
	assert.Len(t, all.Categories, 14, "the feed of all updates: its status and every component")
	assert.Equal(t, all.GUID, itemOf(t, site.Feeds["components/c12.atom"], "all").GUID, "the entry's id, in every feed")
}

// One component more than an entry of a component's feed names is "1
// more component"; an entry in the feed of a component that it does not
// name (a later update of an incident that named it) names the first
// ten.
func TestComponentFeedOneMoreComponent(t *testing.T) {
	infos, comps := manyComponents(12)
	p := newPage(t, statuspage.Config{Components: infos})
	p.send(update("region", "first", 0, broadcast.StatusInvestigating, comps...))
	p.send(update("region", "later", 5, broadcast.StatusIdentified, comps[1:]...))
	site := p.site()

	later := itemOf(t, site.Feeds["components/c5.atom"], "later")
	assert.True(t, strings.HasPrefix(affects(t, later), "C5 (Major outage), C1 (Partial outage), C2 (Degraded performance), "), affects(t, later))
	assert.True(t, strings.HasSuffix(affects(t, later), ", C10 (Major outage), and 1 more component"), affects(t, later))

	later = itemOf(t, site.Feeds["components/c0.atom"], "later")
	assert.True(t, strings.HasPrefix(affects(t, later), "C1 (Partial outage), C2 (Degraded performance), "), affects(t, later))
	assert.True(t, strings.HasSuffix(affects(t, later), ", C10 (Major outage), and 1 more component"), affects(t, later))
	assert.NotContains(t, later.Categories, "C0")
	assert.Contains(t, itemOf(t, site.Feeds["components/c0.atom"], "first").Content, "C0 (Major outage), C1 (Partial outage)")
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
