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
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A long outage of hundreds of updates has incident pages of
// IncidentPageUpdates updates each, the newest first, as a month of
// many incidents has pages: the incident's URL shows the latest, and
// links to the pages of the older ones, which link to one another; the
// front page shows no more than the incident page's first page. Every
// update stays reachable, and every feed entry links to the incident's page.
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

	// A feed entry links to its incident's page at its update's anchor, a
	// place that does not move as the update goes to an older page (see
	// TestFeedEntryLinkIsPermanent): the anchor is there while the update
	// is among the latest, and the page links to the older pages.
	feed := site.Feeds["history.atom"]
	require.Len(t, feed.Items, n)
	for _, it := range feed.Items {
		u, err := url.Parse(it.Link)
		require.NoError(t, err)
		assert.Equal(t, "/"+pages[0], u.Path, it.Link)
		if a := statuspage.FindID(site.Pages[pages[0]], u.Fragment); a != nil {
			assert.Equal(t, pages[0], seen[statuspage.Attr(a, "data-update-id")], it.Link)
		}
	}
}

// A correction of an update that newer updates pushed to a later page of
// its incident links to it there.
func TestCorrectionLinksAcrossIncidentPages(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	n := statuspage.IncidentPageUpdates + 5
	for i := range n {
		u := update("long", fmt.Sprintf("u-%d", i), 0, broadcast.StatusIdentified)
		u.Time = t0.Add(-time.Duration(n-i) * time.Minute)
		p.send(u)
	}
	fix := update("long", "fix", 0, broadcast.StatusIdentified)
	fix.Time, fix.Corrects, fix.Body = t0, "u-0", "Errors in the EU only."
	p.send(fix)
	site := p.site()
	var article *html.Node
	for _, a := range statuspage.FindClass(site.Pages["incidents/long.html"], "update") {
		if statuspage.Attr(a, "data-update-id") == "fix" {
			article = a
		}
	}
	require.NotNil(t, article, "the correction on the first page")
	var hrefs []string
	for _, a := range statuspage.Find(article, "a") {
		hrefs = append(hrefs, statuspage.Attr(a, "href"))
	}
	target := statuspage.FindID(site.Pages["incidents/long.2.html"],
		strings.TrimPrefix(hrefs[len(hrefs)-1], "https://status.example.com/incidents/long.2.html#"))
	require.NotNil(t, target, "the correction links to the update it corrects: %v", hrefs)
	assert.Equal(t, "u-0", statuspage.Attr(target, "data-update-id"))
}
