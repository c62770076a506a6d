package statuspage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// history.html stays small however many incidents closed: it shows the
// latest ones and links to a page per month, and every closed incident
// is reachable from it, at most one page away.
func TestHistoryIsPaginated(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	const n = 120 // about two years, one every 6 days
	start := t0.Add(-n * 6 * 24 * time.Hour)
	for i := range n {
		u := update(fmt.Sprintf("inc-%d", i), fmt.Sprintf("u-%d", i), 0, broadcast.StatusResolved)
		u.Time = start.Add(time.Duration(i) * 6 * 24 * time.Hour)
		u.Title = fmt.Sprintf("Incident %d", i)
		p.send(u)
	}
	site := p.site() // checks every local link of every page
	history := site.Files["history.html"]
	t.Logf("history.html: %d bytes", len(history))
	assert.Less(t, len(history), 32<<10, "history.html's size with %d incidents", n)
	var listed int
	for _, l := range site.Links["history.html"] {
		if strings.HasPrefix(l, "incidents/") {
			listed++
		}
	}
	assert.Equal(t, statuspage.HistoryPageIncidents, listed, "the incidents history.html lists")

	// Reachable: from history.html, or from a month page it links to.
	reached := map[string]bool{}
	for _, l := range site.Links["history.html"] {
		reached[l] = true
		if strings.HasPrefix(l, "history-") {
			require.Contains(t, site.Pages, l, "a month page")
			assert.Less(t, len(site.Files[l]), 32<<10, "%s's size", l)
			for _, m := range site.Links[l] {
				reached[m] = true
			}
		}
	}
	for i := range n {
		assert.True(t, reached[fmt.Sprintf("incidents/inc-%d.html", i)], "incident %d reachable from history.html", i)
	}
	month := site.Pages["history-2025-03.html"]
	require.NotNil(t, month, "the page of March 2025")
	assert.Equal(t, "Incidents of March 2025", statuspage.Text(statuspage.Find(month, "h1")[0]))
	for _, tm := range statuspage.Find(month, "time") {
		assert.NotEmpty(t, statuspage.Attr(tm, "datetime"), "a <time> without datetime")
	}
}
