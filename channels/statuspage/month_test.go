package statuspage_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A month of many closed incidents (a flapping check that opened and
// closed one every few minutes) has pages of MonthPageIncidents each, the
// newest first, linked to one another, so that no page grows with the
// month and every incident stays reachable from history.html.
func TestMonthIsPaginated(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	n := 2*statuspage.MonthPageIncidents + 10
	start := time.Date(2025, time.February, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		u := update(fmt.Sprintf("inc-%d", i), fmt.Sprintf("u-%d", i), 0, broadcast.StatusResolved)
		u.Time = start.Add(time.Duration(i) * 5 * time.Minute)
		u.Title = fmt.Sprintf("Incident %d", i)
		p.send(u)
	}
	site := p.site() // checks every local link of every page
	pages := []string{"history-2025-02.html", "history-2025-02-2.html", "history-2025-02-3.html"}
	var months []string
	for name := range site.Pages {
		if strings.HasPrefix(name, "history-") {
			months = append(months, name)
		}
	}
	assert.ElementsMatch(t, pages, months, "the month's pages")

	reached := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if reached[name] {
			return
		}
		reached[name] = true
		if strings.HasPrefix(name, "history") {
			for _, l := range site.Links[name] {
				visit(l)
			}
		}
	}
	visit("history.html")
	for i := range n {
		assert.True(t, reached[fmt.Sprintf("incidents/inc-%d.html", i)], "incident %d reachable from history.html", i)
	}
	for i, name := range pages {
		require.Contains(t, site.Pages, name)
		assert.Less(t, len(site.Files[name]), 40<<10, "%s's size", name)
		var listed []string
		for _, l := range site.Links[name] {
			if strings.HasPrefix(l, "incidents/") {
				listed = append(listed, l)
			}
		}
		want := statuspage.MonthPageIncidents
		if i == len(pages)-1 {
			want = n - 2*statuspage.MonthPageIncidents
		}
		require.Len(t, listed, want, "the incidents %s lists", name)
		// Newest first: the first page has the latest incident.
		assert.Equal(t, fmt.Sprintf("incidents/inc-%d.html", n-1-i*statuspage.MonthPageIncidents), listed[0], name)
		for _, other := range pages {
			assert.True(t, slices.Contains(site.Links[name], other), "%s links to %s", name, other)
		}
	}
	h1 := func(name string) string { return statuspage.Text(statuspage.Find(site.Pages[name], "h1")[0]) }
	assert.Equal(t, "Incidents of February 2025", h1(pages[0]))
	assert.Equal(t, "Incidents of February 2025, page 2 of 3", h1(pages[1]))
	title := statuspage.Text(statuspage.Find(site.Pages[pages[1]], "title")[0])
	assert.Equal(t, "Incidents of February 2025, page 2 of 3 · Service status", title)
}

// A replaced history template renders history.html and every month page:
// PageData.Heading gives it each page's heading, and Month, Part and
// Parts what it needs to word one of its own.
func TestHistoryTemplateTitlesMonthPages(t *testing.T) {
	const tmpl = `{{define "history"}}{{template "head" .}}<body><main>` +
		`<h1>{{.Heading}}</h1>` +
		`{{with .Month}}<p id="own">Störungen im {{date .Month "01/2006"}}{{if gt $.Part 1}}, Seite {{$.Part}} von {{len $.Parts}}{{end}}</p>{{end}}` +
		`{{range .Parts}}<a href="{{.Path}}">{{.Number}}</a>{{end}}` +
		`{{range .Archive}}{{range .Incidents}}<a href="{{.Path}}">{{.Title}}</a>{{end}}{{end}}` +
		`{{range .Months}}<a href="{{.Path}}">{{date .Month "01/2006"}}</a>{{end}}` +
		`</main>{{template "footer" .}}{{end}}`
	p := newPage(t, statuspage.Config{Templates: fstest.MapFS{"history.tmpl": {Data: []byte(tmpl)}}})
	n := statuspage.MonthPageIncidents + 1
	for i := range n {
		u := update(fmt.Sprintf("inc-%d", i), fmt.Sprintf("u-%d", i), 0, broadcast.StatusResolved)
		u.Time = time.Date(2025, time.February, 1, 0, i, 0, 0, time.UTC)
		p.send(u)
	}
	site := p.site()
	for name, want := range map[string][2]string{
		"history.html":           {"Incident history", ""},
		"history-2025-02.html":   {"Incidents of February 2025", "Störungen im 02/2025"},
		"history-2025-02-2.html": {"Incidents of February 2025, page 2 of 2", "Störungen im 02/2025, Seite 2 von 2"},
	} {
		doc := site.Pages[name]
		require.NotNil(t, doc, name)
		assert.Equal(t, want[0], statuspage.Text(statuspage.Find(doc, "h1")[0]), "%s: <h1>", name)
		if want[1] != "" {
			assert.Equal(t, want[1], statuspage.Text(statuspage.FindID(doc, "own")), name)
		}
	}
}

// A month that shrinks to one page loses its further pages, in a new
// version and in one made from a recycled older one.
func TestMonthPagesShrink(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	n := statuspage.MonthPageIncidents + 3
	var receipts []broadcast.Receipt
	for i := range n {
		u := update(fmt.Sprintf("inc-%d", i), fmt.Sprintf("u-%d", i), 0, broadcast.StatusResolved)
		u.Time = time.Date(2025, time.February, 1, 0, i, 0, 0, time.UTC)
		receipts = append(receipts, p.send(u))
	}
	require.Contains(t, p.site().Pages, "history-2025-02-2.html")
	for i := range 3 {
		require.NoError(t, p.ch.Retract(t.Context(), receipts[i]))
		site := p.site()
		if i < 2 {
			assert.Contains(t, site.Pages, "history-2025-02-2.html", "after %d retractions", i+1)
			continue
		}
		assert.NotContains(t, site.Pages, "history-2025-02-2.html", "after %d retractions", i+1)
		assert.Contains(t, site.Pages, "history-2025-02.html")
	}
	// Once more, on a recycled version: still one page.
	u := update("late", "late-1", 0, broadcast.StatusResolved)
	u.Time = time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC)
	p.send(u)
	p.send(update("open", "open-1", 0, broadcast.StatusInvestigating))
	assert.NotContains(t, p.site().Pages, "history-2025-02-2.html")
}

// The front page, which every reader loads during an outage, stays small
// after a flapping alert closed many incidents in a day: it lists the
// latest HistoryPageIncidents of the last HistoryDays days and links to
// history.html, which leads to the others.
func TestFrontPageHistoryIsCapped(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	n := statuspage.HistoryPageIncidents + 10
	for i := range n {
		u := update(fmt.Sprintf("inc-%d", i), fmt.Sprintf("u-%d", i), 0, broadcast.StatusResolved)
		u.Time = t0.Add(-24*time.Hour + time.Duration(i)*5*time.Minute)
		p.send(u)
	}
	site := p.site()
	var listed []string
	for _, l := range site.Links["index.html"] {
		if strings.HasPrefix(l, "incidents/") {
			listed = append(listed, l)
		}
	}
	require.Len(t, listed, statuspage.HistoryPageIncidents, "the past incidents index.html lists")
	assert.Equal(t, fmt.Sprintf("incidents/inc-%d.html", n-1), listed[0], "the latest first")
	assert.Contains(t, site.Links["index.html"], "history.html")
	past := statuspage.Text(statuspage.FindID(site.Pages["index.html"], "history"))
	assert.Contains(t, past, fmt.Sprintf("%d more", n-statuspage.HistoryPageIncidents), "the front page says how many it leaves out")
}
