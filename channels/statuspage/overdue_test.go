package statuspage_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The promise of the latest update of an open incident is marked for the
// site's overdue.js, which says it is overdue once its time has passed
// (TestBrowser checks that in Chromium); an earlier update's promise is
// not: a later update kept it. A resolved update promises nothing (the
// Broadcaster drops its NextUpdate, see broadcast.Update.Clean). Without
// JavaScript the page says "Next update by", and loads nothing but its
// own script. The marked promise is a live region (role "status"), so
// that a screen reader announces it turning overdue.
func TestNextUpdateMarkedForOverdue(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u1 := update("a", "a1", 0, broadcast.StatusInvestigating)
	u1.NextUpdate = u1.Time.Add(30 * time.Minute)
	u2 := update("a", "a2", 20, broadcast.StatusIdentified)
	u2.NextUpdate = u2.Time.Add(30 * time.Minute)
	b1 := update("b", "b1", 0, broadcast.StatusResolved)
	b1.NextUpdate = b1.Time.Add(time.Hour)
	for _, u := range []broadcast.Update{u1, u2, b1} {
		p.send(u)
	}
	site := p.site()
	require.Contains(t, site.Files, "overdue.js")
	for _, page := range []string{"index.html", "incidents/a.html", "incidents/b.html"} {
		pending := map[string]bool{}
		for _, a := range statuspage.FindClass(site.Pages[page], "update") {
			for _, n := range statuspage.FindClass(a, "next-update") {
				assert.Contains(t, statuspage.Text(n), "Next update by ", "%s: without JavaScript", page)
				pending[statuspage.Attr(a, "data-update-id")] = hasAttr(n, "data-pending")
				if hasAttr(n, "data-pending") {
					// A live region: a screen reader says "Overdue" when
					// overdue.js writes it, as sighted readers see it.
					assert.Equal(t, "status", statuspage.Attr(n, "role"), "%s: the promise's role", page)
				}
			}
		}
		switch page {
		case "incidents/b.html":
			assert.Empty(t, pending, page)
		default:
			assert.Equal(t, map[string]bool{"a2": true, "a1": false}, pending, page)
		}
		scripts := statuspage.Find(site.Pages[page], "script")
		require.Len(t, scripts, 1, "%s: <script>", page)
		assert.Empty(t, statuspage.Text(scripts[0]), "%s: an inline script", page)
	}
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}
