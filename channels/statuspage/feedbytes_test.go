package statuspage

import (
	"context"
	"encoding/xml"
	"fmt"
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

		m := newModel(&c.s, c.cache, now)
		items := m.feedItems()
		feeds := map[string][]feedItem{"history.atom": items}
		component := map[string]string{}
		for name, some := range byComponent(items, c.s.feedEntries) {
			feeds[name] = some
			component[name] = name
		}
		for path, some := range feeds {
			got, err := m.feed(path, component[path], "Feed <"+path+">", some)
			require.NoError(t, err)
			want := atomFeed{Lang: m.s.language, ID: m.s.base.String() + path, Title: "Feed <" + path + ">",
				Links: []atomLink{
					{Rel: "self", Type: "application/atom+xml", Href: m.s.base.String() + path},
					{Rel: "alternate", Type: "text/html", Href: m.s.base.String()},
				},
				Author: atomPerson{Name: m.s.branding.Title, URI: m.s.base.String()}}
			updated := m.retracted(path)
			for _, it := range some {
				updated = maxTime(updated, it.changed())
				if it.r != nil {
					e := m.retractedEntry(it.r)
					want.Entries = append(want.Entries, e)
					want.Deleted = append(want.Deleted, atomDeleted{Ref: e.ID, When: e.Updated, Comment: "Retracted"})
					continue
				}
				want.Entries = append(want.Entries, m.atomEntry(it))
			}
			if updated.IsZero() {
				updated = m.st.Created
			}
			want.Updated = atomTime(updated)
			out, err := xml.MarshalIndent(want, "", " ")
			require.NoError(t, err)
			require.Equal(t, xml.Header+string(out)+"\n", string(got), "%s of %s", path, base)
		}
	}
}
