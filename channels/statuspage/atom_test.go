package statuspage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// entryIDs returns a feed's entry ids, in order.
func entryIDs(f *gofeed.Feed) []string {
	var ids []string
	for _, it := range f.Items {
		ids = append(ids, it.GUID)
	}
	return ids
}

// A real feed parser reads one entry per update, newest first, with ids
// that stay the same across writes and times that are the updates'.
func TestAtomFeeds(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}, {Name: "CDN"}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(update("a", "a2", 10, broadcast.StatusIdentified))
	p.send(update("b", "b1", 20, broadcast.StatusInvestigating, comp("CDN", broadcast.ComponentMajorOutage)))
	site := p.site()

	all := site.Feeds["history.atom"]
	require.NotNil(t, all, "history.atom")
	require.Len(t, all.Items, 3, "one entry per update")
	ids := entryIDs(all)
	assert.Equal(t, []string{
		"tag:status.example.com,2025-03-14:update/b1",
		"tag:status.example.com,2025-03-14:update/a2",
		"tag:status.example.com,2025-03-14:update/a1",
	}, ids, "entry ids, newest first")
	first := all.Items[2]
	assert.Equal(t, t0.Add(-time.Hour), first.UpdatedParsed.UTC(), "updated of a1")
	assert.Equal(t, t0.Add(-time.Hour), first.PublishedParsed.UTC(), "published of a1")
	assert.Equal(t, "Elevated error rates on the API — Investigating", first.Title)
	assert.True(t, strings.HasPrefix(first.Link, "https://status.example.com/incidents/a.html#update-"), first.Link)
	assert.Contains(t, first.Content, "Update a1 of a.")
	assert.Equal(t, t0.Add(-40*time.Minute), all.UpdatedParsed.UTC(), "the feed's updated: its newest entry's")

	// Per component: the updates of the incidents that named it.
	assert.Equal(t, []string{ids[1], ids[2]}, entryIDs(site.Feeds["components/api.atom"]), "API's feed")
	assert.Equal(t, []string{ids[0]}, entryIDs(site.Feeds["components/cdn.atom"]), "CDN's feed")

	// The front page names every feed, so that a feed reader given the
	// page finds the components' feeds too.
	var feeds []string
	for _, l := range statuspage.Find(site.Pages["index.html"], "link") {
		if statuspage.Attr(l, "rel") == "alternate" {
			feeds = append(feeds, statuspage.Attr(l, "title")+" = "+statuspage.Attr(l, "href"))
			assert.Contains(t, site.Feeds, statuspage.Attr(l, "href"), "a feed the page names")
		}
	}
	assert.Equal(t, []string{"Service status: all updates = history.atom", "Service status: API = components/api.atom",
		"Service status: CDN = components/cdn.atom"}, feeds, "the front page's feed links")

	// A later write keeps the ids; an edit moves its entry up, same id,
	// new updated time.
	p.send(update("c", "c1", 30, broadcast.StatusInvestigating))
	fix := update("a", "fix", 40, broadcast.StatusInvestigating)
	fix.Body = "Corrected text."
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), broadcast.Receipt{ID: "a1"})
	require.NoError(t, err)
	all = p.site().Feeds["history.atom"]
	require.Len(t, all.Items, 4)
	assert.Equal(t, ids[2], all.Items[0].GUID, "the edited entry, first")
	assert.Equal(t, fix.Time, all.Items[0].UpdatedParsed.UTC(), "its updated: the correction's time")
	assert.Equal(t, t0.Add(-time.Hour), all.Items[0].PublishedParsed.UTC(), "its published: unchanged")
	assert.Contains(t, all.Items[0].Content, "Corrected text.")
	assert.ElementsMatch(t, append(ids, "tag:status.example.com,2025-03-14:update/c1"), entryIDs(all))
}

// Feeds hold the latest FeedEntries updates.
func TestAtomFeedLength(t *testing.T) {
	p := newPage(t, statuspage.Config{FeedEntries: 3})
	for i, id := range []string{"u1", "u2", "u3", "u4", "u5"} {
		p.send(update("a", id, i, broadcast.StatusInvestigating))
	}
	f := p.site().Feeds["history.atom"]
	assert.Equal(t, []string{
		"tag:status.example.com,2025-03-14:update/u5",
		"tag:status.example.com,2025-03-14:update/u4",
		"tag:status.example.com,2025-03-14:update/u3",
	}, entryIDs(f))
}

// An update ID with characters a URI cannot hold gives a valid entry id.
func TestAtomEntryIDEscaped(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "id with spaces/and#hash", 0, broadcast.StatusInvestigating))
	f := p.site().Feeds["history.atom"]
	require.Len(t, f.Items, 1)
	assert.Equal(t, "tag:status.example.com,2025-03-14:update/id%20with%20spaces%2Fand%23hash", f.Items[0].GUID)
}

// A feed reader has no style sheet to keep an update's single line breaks,
// as the page does: they are <br> in an entry's content.
func TestAtomEntryKeepsLineBreaks(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	u.Body = "Line one.\nLine two https://example.com/x.\n\nSecond paragraph."
	u.Advice = "Retry.\nOr wait."
	p.send(u)
	f := p.site().Feeds["history.atom"]
	require.Len(t, f.Items, 1)
	content := f.Items[0].Content
	assert.Contains(t, content, "<p>Line one.<br>Line two <a href=", "a line break in the body")
	assert.Contains(t, content, "</a>.</p><p>Second paragraph.</p>", "paragraphs")
	assert.Contains(t, content, "Retry.<br>Or wait.", "a line break in the advice")
	assert.NotContains(t, content, "\n", "no line break a reader would fold into a space")
}
