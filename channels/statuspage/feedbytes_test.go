package statuspage

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A feed puts together entries rendered once for all the feeds that hold
// them (see entryXML): its bytes must be those of the whole feed
// marshalled at once, retracted entries and tombstones included, whatever
// the texts hold.
func TestFeedIsTheWholeFeedMarshalled(t *testing.T) {
	for _, base := range []string{"https://status.example.com/", "http://192.0.2.1/"} {
		c, err := New(Config{Dir: t.TempDir(), BaseURL: base, Branding: Branding{Title: "Status </author> & <co>"}})
		require.NoError(t, err)
		now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
		c.now = func() time.Time { now = now.Add(time.Minute); return now }
		ctx := context.Background()
		var rs []broadcast.Receipt
		for i := range 6 {
			u := broadcast.Update{ID: fmt.Sprintf("u <%d> & é", i), IncidentID: fmt.Sprintf("inc-%d", i/2),
				Title: "Errors on </entry> & <b>", Status: broadcast.StatusInvestigating, Time: now,
				Body: "Line one ]]> & <x>\nline two", Advice: "Retry \"later\"",
				Components: []broadcast.Component{{Name: "API & <co>", Status: broadcast.ComponentDegraded}, {Name: fmt.Sprint("C", i%3), Status: broadcast.ComponentMajorOutage}}}
			r, err := c.Send(ctx, broadcast.NewMessage(u))
			require.NoError(t, err)
			rs = append(rs, r)
		}
		require.NoError(t, c.Retract(ctx, rs[1]))
		require.NoError(t, c.Retract(ctx, rs[4]))

		requireFeedsMarshalled(t, c, now, base)
	}
}

// requireFeedsMarshalled checks that every feed of c's page, as siteFiles
// renders them all from one model (so that they share its entries), is
// the whole feed marshalled at once: the feed of all updates, and that of
// every component the page ever listed, also one without entries now.
func requireFeedsMarshalled(t *testing.T, c *Channel, now time.Time, label string) {
	t.Helper()
	m := newModel(&c.s, c.cache, now)
	items := m.feedItems()
	perComponent := m.byComponent(items, c.s.feedEntries)
	type feedFile struct{ path, component string }
	feeds := []feedFile{{"history.atom", ""}}
	for _, rec := range m.st.Components {
		feeds = append(feeds, feedFile{"components/" + rec.Feed + ".atom", rec.Name})
	}
	// Each order, the feed of all updates last and first: an entry
	// rendered for one feed must not be taken for another's.
	for _, order := range [][]feedFile{feeds, append(slices.Clone(feeds[1:]), feeds[0])} {
		m := newModel(&c.s, c.cache, now)
		for _, f := range order {
			some := items[:min(c.s.feedEntries, len(items))]
			if f.component != "" {
				some = perComponent[f.component]
			}
			title := "Feed <" + f.path + ">"
			got, err := m.feed(f.path, f.component, title, some)
			require.NoError(t, err)
			base := m.s.base.String()
			want := atomFeed{Lang: m.s.language, ID: base + f.path, Title: title,
				Links: []atomLink{
					{Rel: "self", Type: "application/atom+xml", Href: base + f.path},
					{Rel: "alternate", Type: "text/html", Href: base},
				},
				Author: atomPerson{Name: m.s.branding.Title, URI: base}}
			updated := m.retracted(f.path)
			for _, it := range some {
				updated = maxTime(updated, m.updated(it, f.component))
				if it.r != nil {
					e := m.retractedEntry(it.r)
					want.Entries = append(want.Entries, e)
					want.Deleted = append(want.Deleted, atomDeleted{Ref: e.ID, When: e.Updated, Comment: "Retracted"})
					continue
				}
				want.Entries = append(want.Entries, m.feedEntry(it, f.component))
			}
			if updated.IsZero() {
				updated = m.st.Created
			}
			want.Updated = atomTime(updated)
			out, err := xml.MarshalIndent(want, "", " ")
			require.NoError(t, err)
			require.Equal(t, xml.Header+string(out)+"\n", string(got), "%s of %s", f.path, label)
		}
	}
}

// The feeds are the whole feed marshalled also for the entries of an
// update naming more than feedComponents components, whose entry differs
// from feed to feed, in the feed of a component it names and of one it
// does not; for feeds without entries; for the feed of a component an
// edit removed from its incident, and of one renamed since (its updates
// named "api", Config.Components now "API"); for a feed holding only a
// retraction; and for component names holding XML's special characters.
func TestFeedIsTheWholeFeedMarshalledEveryShape(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Minute); return now }
	ctx := context.Background()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/"})
	require.NoError(t, err)
	c.now = clock
	send(t, c, broadcast.Update{ID: "old", IncidentID: "old", Title: "Old", Status: broadcast.StatusInvestigating,
		Time: now, Body: "b", Components: []broadcast.Component{{Name: "api", Status: broadcast.ComponentDegraded}}})

	infos := []ComponentInfo{{Name: "API"}, {Name: "Quiet </entry> & <x>"}}
	var comps []broadcast.Component
	for i := range 13 {
		name := fmt.Sprintf("C%d </author> & \"<%d>\" ]]>", i, i)
		infos = append(infos, ComponentInfo{Name: name})
		comps = append(comps, broadcast.Component{Name: name, Status: broadcast.ComponentPartialOutage})
	}
	c, err = New(Config{Dir: dir, BaseURL: "https://status.example.com/", Components: infos,
		Branding: Branding{Title: "Status </author> & <co>"}})
	require.NoError(t, err)
	c.now = clock
	u := broadcast.Update{ID: "region <1>", IncidentID: "region", Title: "Outage </entry> & <b>",
		Status: broadcast.StatusInvestigating, Time: now, Body: "All ]]> & <x>", Components: comps}
	r, err := c.Send(ctx, broadcast.NewMessage(u))
	require.NoError(t, err)
	later := u
	later.ID, later.Status, later.Time, later.Components = "region <2>", broadcast.StatusIdentified, now.Add(time.Minute), comps[2:]
	send(t, c, later)
	edited := u
	edited.Components = slices.Concat(comps[1:], []broadcast.Component{{Name: "API", Status: broadcast.ComponentMajorOutage}})
	_, err = c.Edit(ctx, broadcast.NewMessage(edited), r)
	require.NoError(t, err)
	gone, err := c.Send(ctx, broadcast.NewMessage(broadcast.Update{ID: "gone", IncidentID: "gone", Title: "Gone",
		Status: broadcast.StatusInvestigating, Time: now, Body: "b",
		Components: []broadcast.Component{{Name: "Lone & <one>", Status: broadcast.ComponentDegraded}}}))
	require.NoError(t, err)
	require.NoError(t, c.Retract(ctx, gone))
	requireFeedsMarshalled(t, c, now, "the page")

	// A page without updates: every feed empty.
	empty, err := New(Config{Dir: t.TempDir(), BaseURL: "http://192.0.2.1/", Components: infos})
	require.NoError(t, err)
	empty.now = clock
	require.NoError(t, empty.Rebuild(ctx))
	requireFeedsMarshalled(t, empty, now, "an empty page")
}
