package statuspage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// An incident across New Year (started 31 December, resolved 1 January),
// read in January: every date a page shows says its year, or stands
// under a month heading of its year. "31 Dec 23:30 UTC–1 Jan 00:40 UTC"
// under "December 2025" reads as a resolution eleven months earlier.
func TestDatesAcrossNewYearSayTheYear(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	start := time.Date(2025, time.December, 31, 23, 30, 0, 0, time.UTC)
	p.now = time.Date(2026, time.January, 2, 9, 0, 0, 0, time.UTC)
	u := update("nye", "nye-1", 0, broadcast.StatusInvestigating)
	u.Time = start
	p.send(u)
	u = update("nye", "nye-2", 0, broadcast.StatusResolved)
	u.Time = start.Add(70 * time.Minute)
	p.send(u)
	jan := update("jan", "jan-1", 0, broadcast.StatusResolved)
	jan.Time = time.Date(2026, time.January, 1, 8, 0, 0, 0, time.UTC)
	p.send(jan)

	site := p.site()
	for _, name := range []string{"history.html", "history-2025-12.html"} {
		doc := site.Pages[name]
		require.NotNil(t, doc, name)
		var line string
		for _, li := range statuspage.Find(doc, "li") {
			if strings.Contains(statuspage.Text(li), "Elevated error rates") && strings.Contains(statuspage.Text(li), "31 Dec") {
				line = statuspage.Text(li)
			}
		}
		assert.Contains(t, line, "1 Jan 2026 00:40 UTC", "%s: the resolution says its year", name)
	}
	for name, doc := range site.Pages {
		for _, tm := range statuspage.Find(doc, "time") {
			at, err := time.Parse(time.RFC3339, statuspage.Attr(tm, "datetime"))
			if err != nil {
				continue // a month or a day: its text says the year (checked below)
			}
			year := at.Format("2006")
			if strings.Contains(statuspage.Text(tm), year) {
				continue
			}
			assert.Equal(t, year, headingYear(tm), "%s: %q (%s) says no year and stands under no heading of it", name, statuspage.Text(tm), at)
		}
	}
}

// headingYear is the year of the month heading of the section.month that
// holds n; "" if none.
func headingYear(n *html.Node) string {
	for s := n.Parent; s != nil; s = s.Parent {
		if s.Data == "section" && statuspage.Attr(s, "class") == "month" {
			for _, h := range statuspage.Find(s, "h2") {
				for _, tm := range statuspage.Find(h, "time") {
					if at, err := time.Parse("2006-01", statuspage.Attr(tm, "datetime")); err == nil {
						return at.Format("2006")
					}
				}
			}
		}
	}
	return ""
}
