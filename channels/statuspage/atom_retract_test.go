package statuspage_test

import (
	"context"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// tombstone is an RFC 6721 at:deleted-entry of a feed.
type tombstone struct {
	Ref  string `xml:"ref,attr"`
	When string `xml:"when,attr"`
}

// tombstones returns the at:deleted-entry elements of a feed's XML.
func tombstones(t *testing.T, data []byte) []tombstone {
	t.Helper()
	var doc struct {
		Deleted []tombstone `xml:"http://purl.org/atompub/tombstones/1.0 deleted-entry"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc))
	return doc.Deleted
}

// item returns the entry of f with id; nil if none.
func item(f *gofeed.Feed, id string) *gofeed.Item {
	for _, it := range f.Items {
		if it.GUID == id {
			return it
		}
	}
	return nil
}

// A feed reader keeps the entries it fetched: an update that merely
// leaves the feed stays in front of its readers, wrong. Readers replace
// an entry they hold when it comes again under its id with a later
// updated (Miniflux updates existing entries on refresh, miniflux/v2
// issue #1866; FreshRSS too, and can mark them unread again, FreshRSS
// issue #798; RFC 4287, section 4.2.15), while RFC 6721 tombstones are
// read by few (kurtmckee/feedparser issue #149). So a retracted update
// stays in the feeds that held it, under its id, updated at the
// retraction, saying it was withdrawn and nothing of what it said, with
// a tombstone (RFC 6721, section 3) for the readers that know them.
func TestAtomRetractionReachesReaders(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	r := p.send(update("a", "a2", 10, broadcast.StatusIdentified))
	p.send(update("b", "b1", 20, broadcast.StatusInvestigating, comp("CDN", broadcast.ComponentDegraded)))

	p.now = t0.Add(5 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	site := p.site()
	assert.NotContains(t, site.Updates(), "a2", "the page no longer shows it")

	const id = "tag:status.example.com,2025-03-14:update/a2"
	for path, n := range map[string]int{"history.atom": 3, "components/api.atom": 2} {
		f := site.Feeds[path]
		require.NotNil(t, item(f, id), "%s keeps the retracted entry", path)
		e := item(f, id)
		assert.Equal(t, id, f.Items[0].GUID, "%s: the retraction is its latest change", path)
		assert.Equal(t, p.now, e.UpdatedParsed.UTC(), "%s: updated at the retraction", path)
		assert.Equal(t, t0.Add(-50*time.Minute), e.PublishedParsed.UTC(), "%s: published unchanged", path)
		assert.True(t, strings.HasPrefix(e.Title, "Retracted: "), "%s: title %q", path, e.Title)
		assert.Contains(t, e.Content, "withdrawn", path)
		for _, old := range []string{"Update a2 of a.", "Identified"} {
			assert.NotContains(t, e.Title+e.Content, old, "%s: nothing of what it said", path)
		}
		assert.Equal(t, "https://status.example.com/incidents/a.html", e.Link, "%s: the incident's page", path)
		assert.Equal(t, []tombstone{{Ref: id, When: "2025-03-14T12:05:00Z"}}, tombstones(t, site.Files[path]), path)
		assert.Len(t, f.Items, n, "%s: no other entry added", path)
	}
	cdn := site.Feeds["components/cdn.atom"]
	assert.Nil(t, item(cdn, id), "CDN's feed never held it")
	assert.Empty(t, tombstones(t, site.Files["components/cdn.atom"]))

	// An incident retracted whole: its page is gone, the entry links to
	// the front page.
	p.now = t0.Add(6 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), broadcast.Receipt{ID: "b1"}))
	e := item(p.site().Feeds["history.atom"], "tag:status.example.com,2025-03-14:update/b1")
	require.NotNil(t, e, "the entry of an incident retracted whole")
	assert.Equal(t, "https://status.example.com/", e.Link)
}

// What the feeds need of retractions is in the state: a Channel started
// again on the directory (a restart) keeps the retracted entries, and a
// retracted update sent again replaces its retraction, never giving the
// feed two entries of one id.
func TestAtomRetractionSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	p := newPage(t, statuspage.Config{Dir: dir})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	r := p.send(update("a", "a2", 10, broadcast.StatusIdentified))
	p.now = t0.Add(5 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))

	q := newPage(t, statuspage.Config{Dir: dir})
	q.now = t0.Add(10 * time.Minute)
	require.NoError(t, q.ch.Rebuild(context.Background()))
	const id = "tag:status.example.com,2025-03-14:update/a2"
	e := item(q.site().Feeds["history.atom"], id)
	require.NotNil(t, e, "the retracted entry after a restart")
	assert.True(t, strings.HasPrefix(e.Title, "Retracted: "), e.Title)

	q.send(update("a", "a2", 10, broadcast.StatusIdentified))
	site := q.site()
	assert.Equal(t, 1, strings.Count(string(site.Files["history.atom"]), "<id>"+id+"</id>"), "one entry per id")
	assert.Empty(t, tombstones(t, site.Files["history.atom"]), "no tombstone of an entry on the page")
	assert.Contains(t, item(site.Feeds["history.atom"], id).Content, "Update a2 of a.")
}

// Retracted entries do not pile up: they count against FeedEntries like
// any entry, and leave the feeds (and the state) a while after the
// retraction, long after readers polled; the feed's updated never goes
// back when they leave.
func TestAtomRetractionsPruned(t *testing.T) {
	p := newPage(t, statuspage.Config{FeedEntries: 3})
	var receipts []broadcast.Receipt
	for i, id := range []string{"u1", "u2", "u3", "u4", "u5"} {
		receipts = append(receipts, p.send(update("a", id, i, broadcast.StatusInvestigating)))
	}
	p.now = t0.Add(time.Minute)
	for _, r := range receipts[:4] {
		require.NoError(t, p.ch.Retract(context.Background(), r))
	}
	site := p.site()
	assert.Len(t, site.Feeds["history.atom"].Items, 3, "FeedEntries holds")
	assert.Len(t, tombstones(t, site.Files["history.atom"]), 3, "a tombstone per retracted entry shown, no more")

	p.now = t0.Add(time.Minute + statuspage.RetractionKept - time.Second)
	p.send(update("b", "b0", 0, broadcast.StatusInvestigating))
	assert.Len(t, tombstones(t, p.site().Files["history.atom"]), 3, "still there just before they expire")

	p.now = t0.Add(time.Minute + statuspage.RetractionKept + time.Second)
	p.send(update("b", "b1", 0, broadcast.StatusInvestigating))
	f := p.site()
	assert.Equal(t, []string{
		"tag:status.example.com,2025-03-14:update/u5",
		"tag:status.example.com,2025-04-13:update/b1", // the day they reached the page
		"tag:status.example.com,2025-04-13:update/b0",
	}, entryIDs(f.Feeds["history.atom"]), "the retractions are gone")
	assert.Empty(t, tombstones(t, f.Files["history.atom"]))
	assert.Equal(t, t0.Add(time.Minute), f.Feeds["history.atom"].UpdatedParsed.UTC(), "updated does not go back")
}
