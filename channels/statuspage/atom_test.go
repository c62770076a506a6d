package statuspage_test

import (
	"context"
	"regexp"
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

// tagURI is a tag URI (RFC 4151) whose authority is a DNS name (in
// ASCII), dated by day, of an update.
var tagURI = regexp.MustCompile(`^tag:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*,` +
	`\d{4}-\d{2}-\d{2}:update/[A-Za-z0-9%._~!$&'()*+,;=:@/?-]+$`)

// nameUUID is the URN of a name-based UUID (RFC 9562, version 5).
var nameUUID = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// A tag URI's authority is a DNS name (or an e-mail address): a page at
// an IP address has none, and gets name-based UUIDs instead, as stable; a
// name outside ASCII is written as its A-labels.
func TestAtomEntryIDWithoutDNSName(t *testing.T) {
	for _, c := range []struct {
		base string
		want *regexp.Regexp
		a1   string // a1's id, when it is known
	}{
		{base: "https://status.example.com/", want: tagURI, a1: "tag:status.example.com,2025-03-14:update/a1"},
		{base: "http://192.0.2.10:8080/status/", want: nameUUID,
			a1: "urn:uuid:25fe3dc7-dcaa-5ce2-b4cb-bfc1534e9491"}, // of tag:192.0.2.10,2025-03-14:update/a1
		{base: "http://[2001:db8::1]/", want: nameUUID},
		{base: "https://status.bücher.example/", want: tagURI, a1: "tag:status.xn--bcher-kva.example,2025-03-14:update/a1"},
		{base: "https://status.example.com./", want: tagURI, a1: "tag:status.example.com,2025-03-14:update/a1"},
		{base: "http://status_page.internal/", want: nameUUID},
	} {
		t.Run(c.base, func(t *testing.T) {
			p := newPage(t, statuspage.Config{BaseURL: c.base})
			p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
			p.send(update("a", "a2", 10, broadcast.StatusIdentified))
			first := entryIDs(p.site().Feeds["history.atom"])
			p.send(update("b", "b1", 20, broadcast.StatusInvestigating))
			ids := entryIDs(p.site().Feeds["history.atom"])
			require.Len(t, ids, 3)
			assert.Equal(t, first, ids[1:], "the ids stay the same across writes")
			assert.NotEqual(t, ids[1], ids[2], "each update has its own id")
			for _, id := range ids {
				assert.Regexp(t, c.want, id)
			}
			if c.a1 != "" {
				assert.Equal(t, c.a1, ids[2])
			}
		})
	}
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

// Atom ids compare character by character (RFC 4287, section 4.2.6.1,
// which asks for the host in lower case), as tag URIs do (RFC 4151,
// section 2.4): a page whose BaseURL writes its host in capitals gives
// the feeds, entries and page the ids it would with the host in lower
// case.
func TestAtomIDsIgnoreHostCase(t *testing.T) {
	feeds := map[string]string{}
	for _, base := range []string{"https://status.example.com/", "https://Status.EXAMPLE.com/"} {
		p := newPage(t, statuspage.Config{BaseURL: base})
		p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
		site := p.site()
		assert.Equal(t, []string{"tag:status.example.com,2025-03-14:update/a1"}, entryIDs(site.Feeds["history.atom"]), base)
		assert.Equal(t, "https://status.example.com/history.atom", site.Raw["history.atom"].ID, base)
		feeds[base] = string(site.Files["history.atom"])
	}
	assert.Equal(t, feeds["https://status.example.com/"], feeds["https://Status.EXAMPLE.com/"], "the same feed")
}

// A feed's updated is the latest significant change to it (RFC 4287,
// section 4.2.15), and a retraction is one: it moves on to the time of
// the retraction, never back to the entries left, in the feed of every
// component whose entries the retraction changed; other feeds keep theirs.
func TestAtomUpdatedAfterRetract(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(update("b", "b1", 10, broadcast.StatusInvestigating, comp("CDN", broadcast.ComponentDegraded)))
	r := p.send(update("a", "a2", 20, broadcast.StatusIdentified))
	before := p.site()
	require.Equal(t, t0.Add(-40*time.Minute), before.Feeds["history.atom"].UpdatedParsed.UTC())

	p.now = t0.Add(5 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	after := p.site()
	assert.Len(t, after.Feeds["history.atom"].Items, 3, "the two left and the retracted one (see TestAtomRetractionReachesReaders)")
	assert.Equal(t, p.now, after.Feeds["history.atom"].UpdatedParsed.UTC(), "all updates: the retraction's time")
	assert.Equal(t, p.now, after.Feeds["components/api.atom"].UpdatedParsed.UTC(), "API, whose incident lost an update")
	assert.Equal(t, before.Feeds["components/cdn.atom"].UpdatedParsed, after.Feeds["components/cdn.atom"].UpdatedParsed,
		"CDN, unchanged")

	// A later update's time below the retraction's does not move it back.
	p.send(update("c", "c1", 30, broadcast.StatusInvestigating))
	assert.Equal(t, p.now, p.site().Feeds["history.atom"].UpdatedParsed.UTC())
}

// A feed reader shows what the page shows of a correction: a correction
// posted as an update of its own reads "Correction: " in its entry's title
// and content, as every channel's default template writes it, and the
// page's "Correction" tag says; an update corrected in place says when it
// was edited, as the page does. Without it a reader sees two updates that
// contradict each other and cannot tell which one holds.
func TestAtomMarksCorrections(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	fix := update("a", "a1-fix", 5, broadcast.StatusInvestigating)
	fix.Body, fix.Corrects = "Errors in the EU only.", "a1"
	p.send(fix) // a correction posted as an update of its own
	edit := update("a", "a1-edit", 10, broadcast.StatusInvestigating)
	edit.Body, edit.Corrects = "Errors in the EU and US.", "a1"
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(edit), broadcast.Receipt{ID: "a1"})
	require.NoError(t, err)

	items := map[string]*gofeed.Item{}
	for _, it := range p.site().Feeds["history.atom"].Items {
		items[it.GUID] = it
	}
	posted := items["tag:status.example.com,2025-03-14:update/a1-fix"]
	require.NotNil(t, posted, "the correction's entry")
	assert.Equal(t, "Correction: Elevated error rates on the API — Investigating", posted.Title)
	assert.Contains(t, posted.Content, "<strong>Correction: Investigating</strong>")
	edited := items["tag:status.example.com,2025-03-14:update/a1"]
	require.NotNil(t, edited, "the entry edited in place")
	assert.Equal(t, "Elevated error rates on the API — Investigating", edited.Title, "edited in place: not a correction of itself")
	assert.Contains(t, edited.Content, "Errors in the EU and US.")
	assert.Contains(t, edited.Content, "<p>Edited 14 Mar 2025 11:10 UTC.</p>")

	pv, err := p.ch.Preview(fix)
	require.NoError(t, err)
	assert.Contains(t, pv.Text, "\nCorrection: Investigating — ", "the preview")
}

// An edit that takes a component off an incident takes the incident's
// entries out of that component's feed: a change to the feed, whose
// updated moves on to the time of the edit, as after a retraction, and
// never back to the entries left (RFC 4287, section 4.2.15).
func TestAtomUpdatedAfterEditDropsComponent(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("b", "b1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	r := p.send(update("a", "a1", 10, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	require.Equal(t, t0.Add(-50*time.Minute), p.site().Feeds["components/api.atom"].UpdatedParsed.UTC())

	p.now = t0.Add(5 * time.Minute)
	fix := update("a", "a1-fix", 15, broadcast.StatusInvestigating) // API was named by mistake
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
	require.NoError(t, err)
	api := p.site().Feeds["components/api.atom"]
	assert.Equal(t, []string{"tag:status.example.com,2025-03-14:update/b1"}, entryIDs(api))
	assert.Equal(t, p.now, api.UpdatedParsed.UTC(), "API's feed lost an entry: the edit's time")
}
