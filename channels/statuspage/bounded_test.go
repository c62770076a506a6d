package statuspage_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The JSON files are bounded whatever the length of an outage or of the
// history: Statuspage's summary.json carries the unresolved incidents and
// the upcoming and in-progress maintenances, incidents.json "the 50 most
// recent incidents" (the public API reference each Statuspage page serves
// at /api, "Summary" and "Incidents"); an incident carries its latest
// IncidentPageUpdates updates, as its first page does, the older staying
// on its later pages.
func TestAPIIsBounded(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	n := statuspage.IncidentPageUpdates + 10
	for i := range n {
		u := update("long", fmt.Sprintf("u-%d", i), 0, broadcast.StatusIdentified)
		u.Time = t0.Add(-time.Duration(n-i) * time.Minute)
		p.send(u)
	}
	for i := range 55 {
		u := update(fmt.Sprintf("past-%d", i), fmt.Sprintf("p-%d", i), 0, broadcast.StatusResolved)
		u.Time = t0.Add(-time.Duration(1000+i) * time.Hour)
		p.send(u)
	}
	site := p.site()
	for _, path := range []string{"api/v2/summary.json", "api/v2/incidents.json", "api/v2/incidents/unresolved.json"} {
		list := site.JSON[path].(map[string]any)["incidents"].([]any)
		assert.LessOrEqual(t, len(list), 50, "%s: incidents", path)
		for _, v := range list {
			in := v.(map[string]any)
			updates := in["incident_updates"].([]any)
			assert.LessOrEqual(t, len(updates), statuspage.IncidentPageUpdates, "%s: %s's updates", path, in["id"])
			if in["id"] == "long" {
				assert.Equal(t, fmt.Sprintf("u-%d", n-1), updates[0].(map[string]any)["id"], "%s: the newest first", path)
				assert.Equal(t, "identified", in["status"])
			}
		}
	}
	assert.Equal(t, []string{"long"}, ids(site.JSON["api/v2/summary.json"].(map[string]any)["incidents"]))
}

// A feed entry links to a permanent place, its incident's page at the
// update's anchor, and keeps its id: later updates that push the update
// to an older page of the incident change neither (RFC 4287, section
// 4.2.6: an entry's id never changes).
func TestFeedEntryLinkIsPermanent(t *testing.T) {
	p := newPage(t, statuspage.Config{FeedEntries: 200})
	first := update("long", "u-first", 0, broadcast.StatusIdentified)
	first.Time = t0.Add(-24 * time.Hour)
	p.send(first)
	entry := func() (id, link string) {
		for _, it := range p.site().Feeds["history.atom"].Items {
			if strings.HasSuffix(it.GUID, "u-first") || strings.Contains(it.Description, "u-first") {
				return it.GUID, it.Link
			}
		}
		t.Fatal("no entry of u-first")
		return "", ""
	}
	id, link := entry()
	u, err := url.Parse(link)
	require.NoError(t, err)
	assert.Equal(t, "/incidents/long.html", u.Path, "the incident's own page")
	assert.NotEmpty(t, u.Fragment, "the update's anchor")
	for i := range statuspage.IncidentPageUpdates + 5 {
		u := update("long", fmt.Sprintf("u-%d", i), 0, broadcast.StatusIdentified)
		u.Time = t0.Add(-time.Duration(100-i) * time.Minute)
		p.send(u)
	}
	id2, link2 := entry()
	assert.Equal(t, id, id2, "the entry's id")
	assert.Equal(t, link, link2, "the entry's link")
}
