package statuspage_test

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A long outage of hundreds of updates has incident pages of
// IncidentPageUpdates updates each, the newest first, as a month of
// many incidents has pages: the incident's URL shows the latest, and
// links to the pages of the older ones, which link to one another; the
// front page shows no more than the incident page's first page. Every
// update, and every feed entry's link, stays reachable.
func TestLongIncidentIsPaginated(t *testing.T) {
	p := newPage(t, statuspage.Config{FeedEntries: 200})
	n := 2*statuspage.IncidentPageUpdates + 10
	for i := range n {
		u := update("long", fmt.Sprintf("u-%d", i), 0, broadcast.StatusIdentified)
		u.Time = t0.Add(-time.Duration(n-i) * time.Minute)
		p.send(u)
	}
	site := p.site() // checks every local link of every page
	pages := []string{"incidents/long.html", "incidents/long.2.html", "incidents/long.3.html"}
	var got []string
	for name := range site.Pages {
		if strings.HasPrefix(name, "incidents/") {
			got = append(got, name)
		}
	}
	assert.ElementsMatch(t, pages, got, "the incident's pages")
	seen := map[string]string{} // update ID: the page showing it
	for i, name := range pages {
		updates := statuspage.FindClass(site.Pages[name], "update")
		want := statuspage.IncidentPageUpdates
		if i == len(pages)-1 {
			want = n - 2*statuspage.IncidentPageUpdates
		}
		require.Len(t, updates, want, "the updates %s shows", name)
		assert.Equal(t, fmt.Sprintf("u-%d", n-1-i*statuspage.IncidentPageUpdates), statuspage.Attr(updates[0], "data-update-id"),
			"%s: newest first", name)
		for _, u := range updates {
			seen[statuspage.Attr(u, "data-update-id")] = name
		}
		var links []string
		for _, l := range site.Links[name] {
			links = append(links, path.Join(path.Dir(name), l))
		}
		for _, other := range pages {
			assert.True(t, slices.Contains(links, other), "%s links to %s", name, other)
		}
		assert.Equal(t, "Elevated error rates on the API", statuspage.Text(statuspage.Find(site.Pages[name], "h1")[0]), name)
		if i > 0 {
			title := statuspage.Text(statuspage.Find(site.Pages[name], "title")[0])
			assert.Equal(t, fmt.Sprintf("Elevated error rates on the API, page %d of 3 · Service status", i+1), title)
		}
	}
	assert.Len(t, seen, n, "every update on one page")

	// The front page shows the first page's updates and links to the older.
	index := site.Pages["index.html"]
	assert.Len(t, statuspage.FindClass(index, "update"), statuspage.IncidentPageUpdates, "the updates index.html shows")
	assert.Contains(t, site.Links["index.html"], pages[1], "index.html links to the older updates")

	// A feed entry links to the page that shows its update, at its anchor.
	feed := site.Feeds["history.atom"]
	require.Len(t, feed.Items, n)
	for _, it := range feed.Items {
		u, err := url.Parse(it.Link)
		require.NoError(t, err)
		page := strings.TrimPrefix(u.Path, "/")
		doc := site.Pages[page]
		require.NotNil(t, doc, it.Link)
		a := statuspage.FindID(doc, u.Fragment)
		require.NotNil(t, a, "%s: the update's anchor", it.Link)
		assert.Equal(t, page, seen[statuspage.Attr(a, "data-update-id")], it.Link)
	}
}
