package statuspage_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The banner names every open incident and never says all is well while
// one is open, even when no component was marked.
func TestBannerNeverGreenWhileIncidentOpen(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}}})
	u := update("quiet", "q1", 0, broadcast.StatusInvestigating)
	u.Impact, u.Title = broadcast.ImpactNone, "Reports of failed logins"
	p.send(u)

	site := p.site()
	label, names := banner(t, site.Pages["index.html"])
	assert.Equal(t, "Active incident", label)
	assert.Equal(t, []string{"Reports of failed logins"}, names, "the incident the banner names")
	assert.Equal(t, map[string]string{"API": "Operational"}, components(t, site.Pages["index.html"]))
	status := site.JSON["api/v2/status.json"].(map[string]any)["status"].(map[string]any)
	assert.Equal(t, "minor", status["indicator"], "status.json indicator")
	assert.NotEqual(t, "All Systems Operational", status["description"])

	u.ID, u.Status, u.Time = "q2", broadcast.StatusResolved, u.Time.Add(time.Minute)
	p.send(u)
	label, names = banner(t, p.index())
	assert.Equal(t, "All systems operational", label, "once resolved")
	assert.Empty(t, names)
}

// The banner's label and colour follow the worst of the components and
// the open incidents' impacts.
func TestBannerLabels(t *testing.T) {
	cases := []struct {
		name      string
		updates   []broadcast.Update
		label     string
		indicator string
	}{
		{"nothing", nil, "All systems operational", "none"},
		{"degraded component", []broadcast.Update{withImpact(update("a", "a1", 0, broadcast.StatusInvestigating,
			comp("API", broadcast.ComponentDegraded)), broadcast.ImpactMinor)}, "Degraded performance", "minor"},
		{"impact worse than components", []broadcast.Update{update("a", "a1", 0, broadcast.StatusInvestigating,
			comp("API", broadcast.ComponentDegraded))}, "Active incident", "major"},
		{"major outage", []broadcast.Update{update("a", "a1", 0, broadcast.StatusIdentified,
			comp("API", broadcast.ComponentMajorOutage))}, "Major outage", "critical"},
		{"two incidents", []broadcast.Update{update("a", "a1", 0, broadcast.StatusInvestigating),
			update("b", "b1", 1, broadcast.StatusInvestigating)}, "Active incidents", "major"},
		{"maintenance in progress", []broadcast.Update{maintenance("m", "m1", 0, broadcast.StatusInProgress)},
			"Under maintenance", "maintenance"},
		{"maintenance scheduled", []broadcast.Update{maintenance("m", "m1", 0, broadcast.StatusScheduled)},
			"All systems operational", "none"},
		{"incident during maintenance", []broadcast.Update{maintenance("m", "m1", 0, broadcast.StatusInProgress),
			update("a", "a1", 1, broadcast.StatusInvestigating)}, "Active incident", "major"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			require.NoError(t, p.ch.Rebuild(context.Background()))
			for _, u := range tc.updates {
				p.send(u)
			}
			site := p.site()
			label, _ := banner(t, site.Pages["index.html"])
			assert.Equal(t, tc.label, label, "the banner")
			assert.Equal(t, tc.indicator, statuspage.Attr(statuspage.FindID(site.Pages["index.html"], "status"), "data-indicator"))
			status := site.JSON["api/v2/status.json"].(map[string]any)["status"].(map[string]any)
			assert.Equal(t, tc.indicator, status["indicator"], "status.json")
		})
	}
}

func withImpact(u broadcast.Update, i broadcast.Impact) broadcast.Update {
	u.Impact = i
	return u
}

func maintenance(incident, id string, n int, status broadcast.Status) broadcast.Update {
	u := update(incident, id, n, status, comp("Database", broadcast.ComponentMaintenance))
	u.Title, u.Impact, u.NextUpdate = "Database upgrade", broadcast.ImpactMaintenance, t0.Add(48*time.Hour)
	return u
}

// A component's status is the worst that an open incident's latest word
// on it gives; operational once the incidents are resolved.
func TestComponentStatus(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}, {Name: "CDN"}, {Name: "Database"}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentPartialOutage)))
	p.send(update("b", "b1", 1, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded),
		comp("CDN", broadcast.ComponentMajorOutage)))
	// A later update of b that does not name CDN leaves it as b said.
	p.send(update("b", "b2", 2, broadcast.StatusIdentified, comp("API", broadcast.ComponentDegraded)))
	p.send(maintenance("m", "m1", 3, broadcast.StatusScheduled))
	assert.Equal(t, map[string]string{"API": "Partial outage", "CDN": "Major outage", "Database": "Operational"},
		components(t, p.index()), "two open incidents and a scheduled maintenance")

	p.send(update("a", "a2", 4, broadcast.StatusResolved, comp("API", broadcast.ComponentOperational)))
	p.send(maintenance("m", "m2", 5, broadcast.StatusInProgress))
	assert.Equal(t, map[string]string{"API": "Degraded performance", "CDN": "Major outage", "Database": "Under maintenance"},
		components(t, p.index()), "a resolved, the maintenance in progress")

	p.send(update("b", "b3", 6, broadcast.StatusResolved))
	p.send(maintenance("m", "m3", 7, broadcast.StatusCompleted))
	assert.Equal(t, map[string]string{"API": "Operational", "CDN": "Operational", "Database": "Operational"},
		components(t, p.index()), "everything closed")
}

// Components the configuration lists come first, in its order; others
// follow in the order updates first named them.
func TestComponentOrder(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{
		{Name: "Website", Description: "The dashboard"}, {Name: "API"}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("Search", broadcast.ComponentDegraded),
		comp("API", broadcast.ComponentDegraded), comp("Billing", broadcast.ComponentDegraded)))
	var names []string
	for _, li := range statuspage.Find(p.index(), "li") {
		if n := statuspage.Attr(li, "data-component"); n != "" {
			names = append(names, n)
		}
	}
	assert.Equal(t, []string{"Website", "API", "Search", "Billing"}, names)
	assert.Contains(t, statuspage.Text(p.index()), "The dashboard", "a configured description")
}

// The incident page lists the updates newest first, whatever order they
// were sent in.
func TestIncidentPageNewestFirst(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	p.send(update("a", "a3", 20, broadcast.StatusMonitoring))
	r := p.send(update("a", "a2", 10, broadcast.StatusIdentified)) // late, but older
	site := p.site()
	doc := site.Pages["incidents/a.html"]
	require.NotNil(t, doc, "the incident page incidents/a.html")
	var ids []string
	for _, a := range statuspage.FindClass(doc, "update") {
		ids = append(ids, statuspage.Attr(a, "data-update-id"))
	}
	assert.Equal(t, []string{"a3", "a2", "a1"}, ids)
	assert.Equal(t, "https://status.example.com/incidents/a.html", r.URL, "Receipt.URL")
	assert.Equal(t, "a2", r.ID, "Receipt.ID")
	assert.Equal(t, "Monitoring", statuspage.Text(statuspage.FindClass(doc, "update-status")[0]))
}

// Pages need no JavaScript (their one script only says an update is
// overdue), load nothing from elsewhere, fit a phone,
// show times in UTC in <time datetime> and follow the dark mode.
func TestPagesAreStaticAndAccessible(t *testing.T) {
	p := newPage(t, statuspage.Config{Branding: statuspage.Branding{
		Links: []statuspage.Link{{Text: "Support", URL: "https://example.com/support"}}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(maintenance("m", "m1", 1, broadcast.StatusScheduled))
	p.send(update("b", "b1", 2, broadcast.StatusResolved))
	site := p.site()
	require.Len(t, site.Pages, 6, "index, history, a month and three incident pages")
	for name, doc := range site.Pages {
		// One script, the site's own (see TestNextUpdateMarkedForOverdue):
		// what it changes, the page says without it.
		scripts := statuspage.Find(doc, "script")
		if assert.Len(t, scripts, 1, "%s: <script>", name) {
			assert.True(t, strings.HasSuffix(statuspage.Attr(scripts[0], "src"), "overdue.js"), "%s: <script>", name)
		}
		for n := range doc.Descendants() {
			for _, a := range n.Attr {
				assert.Falsef(t, strings.HasPrefix(a.Key, "on"), "%s: event handler attribute %s", name, a.Key)
				assert.NotContainsf(t, strings.ToLower(a.Val), "javascript:", "%s: %s", name, a.Key)
			}
			if n.Type == html.ElementNode && (n.Data == "img" || n.Data == "link" && statuspage.Attr(n, "rel") != "canonical" &&
				statuspage.Attr(n, "rel") != "alternate") {
				assert.NotContainsf(t, statuspage.Attr(n, "src")+statuspage.Attr(n, "href"), "://",
					"%s: a resource from elsewhere", name)
			}
		}
		assert.Equal(t, "en", statuspage.Attr(statuspage.Find(doc, "html")[0], "lang"), "%s: lang", name)
		assert.True(t, hasMeta(doc, "viewport", "width=device-width, initial-scale=1"), "%s: viewport", name)
		style := statuspage.Text(statuspage.Find(doc, "style")[0])
		assert.Contains(t, style, "@media (prefers-color-scheme:dark)", "%s: dark mode", name)
		times := statuspage.Find(doc, "time")
		assert.NotEmpty(t, times, "%s: <time> elements", name)
		for _, tm := range times {
			dt := statuspage.Attr(tm, "datetime")
			if len(dt) > 10 {
				_, err := time.Parse(time.RFC3339, dt)
				assert.NoError(t, err, "%s: datetime %q", name, dt)
				assert.True(t, strings.HasSuffix(dt, "Z"), "%s: datetime %q in UTC", name, dt)
				assert.True(t, strings.HasSuffix(statuspage.Text(tm), "UTC"), "%s: %q says UTC", name, statuspage.Text(tm))
			}
		}
	}
}

func hasMeta(doc *html.Node, name, content string) bool {
	for _, m := range statuspage.Find(doc, "meta") {
		if statuspage.Attr(m, "name") == name && statuspage.Attr(m, "content") == content {
			return true
		}
	}
	return false
}

// Sending an update whose ID is on the page changes nothing: no new
// version is written.
func TestSendIsIdempotent(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	first := p.send(u)
	before, err := os.Readlink(filepath.Join(p.dir, "current"))
	require.NoError(t, err)
	p.now = p.now.Add(time.Minute)
	u.Body = "Changed text under the same ID."
	again := p.send(u)
	after, err := os.Readlink(filepath.Join(p.dir, "current"))
	require.NoError(t, err)
	assert.Equal(t, before, after, "the version current points at")
	assert.Equal(t, first.URL, again.URL)
	assert.Equal(t, first.ID, again.ID)
	assert.NotContains(t, statuspage.Text(p.site().Pages["incidents/a.html"]), "Changed text")
}

// Edit changes the update in place: same anchor, new text, marked edited;
// the correction's ID then changes nothing.
func TestEditInPlace(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	prev := p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(update("a", "a2", 5, broadcast.StatusIdentified))
	fix := update("a", "fix", 8, broadcast.StatusInvestigating, comp("API", broadcast.ComponentPartialOutage))
	fix.Body, fix.Corrects = "Errors in the EU only.", "a1"
	p.now = p.now.Add(time.Minute)
	r, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), prev)
	require.NoError(t, err)
	assert.Equal(t, "a1", r.ID, "the edited update keeps its ID")

	updates := p.site().Updates()
	require.Len(t, updates, 2)
	assert.Contains(t, updates["a1"], "Errors in the EU only.")
	assert.Contains(t, updates["a1"], "Edited")
	assert.NotContains(t, updates["a1"], "Update a1 of a.")
	assert.NotContains(t, updates["a1"], "Correction", "an update corrected in place is marked edited, not a correction of itself")
	assert.Equal(t, "Partial outage", components(t, p.index())["API"], "the component status of the correction")

	again := p.send(fix)
	assert.Equal(t, "a1", again.ID, "sending the correction after the edit")
	assert.Len(t, p.site().Updates(), 2, "sending the correction after the edit adds nothing")
}

// Retract removes the update; an incident without updates disappears,
// page, links and JSON.
func TestRetract(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	r1 := p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
	r2 := p.send(update("a", "a2", 5, broadcast.StatusIdentified))
	p.send(update("b", "b1", 6, broadcast.StatusInvestigating))
	require.NoError(t, p.ch.Retract(context.Background(), r2))
	assert.NotContains(t, p.site().Updates(), "a2")
	require.NoError(t, p.ch.Retract(context.Background(), r1))
	site := p.site()
	assert.NotContains(t, site.Files, "incidents/a.html", "the page of an incident without updates")
	assert.NotContains(t, string(site.Files["index.html"]), "incidents/a.html")
	assert.NotContains(t, string(site.Files["api/v2/incidents.json"]), `"id": "a"`)
	require.NoError(t, p.ch.Retract(context.Background(), r1), "retracting again")
}

// The incident URL is known before the Send, is the receipt's, and the
// page is there; IDs that are not plain names get a slug and a hash.
func TestIncidentURL(t *testing.T) {
	p := newPage(t, statuspage.Config{BaseURL: "https://example.com/status"})
	for _, tc := range []struct{ id, title, path string }{
		{"cdn-errors", "CDN errors", "incidents/cdn-errors.html"},
		{"", "Elevated CDN errors!", "incidents/elevated-cdn-errors.html"},
		{"INC-42", "x", "incidents/inc-42-"},
		{"inc-42", "x", "incidents/inc-42.html"},
		{"../../etc/passwd", "x", "incidents/etc-passwd-"},
		{"東京", "x", "incidents/incident-"},
	} {
		u := broadcast.Update{IncidentID: tc.id, Title: tc.title, Status: broadcast.StatusInvestigating}
		url := p.ch.IncidentURL(u)
		assert.True(t, strings.HasPrefix(url, "https://example.com/status/"+tc.path), "IncidentURL of %q: %s", tc.id, url)
		assert.Regexp(t, regexp.MustCompile(`^https://example\.com/status/incidents/[a-z0-9-]+\.html$`), url)
		r := p.send(u)
		assert.Equal(t, url, r.URL, "Receipt.URL of %q", tc.id)
		assert.Contains(t, p.site().Files, strings.TrimPrefix(url, "https://example.com/status/"))
	}
}

// A channel's override replaces the body on the page; others' do not.
func TestOverride(t *testing.T) {
	p := newPage(t, statuspage.Config{Name: "status"})
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	u.Overrides = map[string]string{"status": "Text for the status page.", "x": "Text for X."}
	p.send(u)
	text := p.site().Updates()["a1"]
	assert.Contains(t, text, "Text for the status page.")
	assert.NotContains(t, text, "Text for X.")
	assert.NotContains(t, text, u.Body)
}

// Links in the body become links; everything else is escaped.
func TestBodyIsEscaped(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	u.Body = "<script>alert(1)</script> See https://example.com/post-mortem?a=1&b=2.\n\nSecond paragraph."
	u.Title = `"><img src=x onerror=alert(1)>`
	p.send(u)
	site := p.site()
	doc := site.Pages["incidents/a.html"]
	assert.Len(t, statuspage.Find(doc, "script"), 1, "the site's own script only")
	assert.Empty(t, statuspage.Find(statuspage.Find(doc, "body")[0], "script"), "a script in the body")
	assert.Empty(t, statuspage.Find(doc, "img"))
	var hrefs []string
	for _, a := range statuspage.Find(statuspage.FindClass(doc, "update-body")[0], "a") {
		hrefs = append(hrefs, statuspage.Attr(a, "href"))
	}
	assert.Equal(t, []string{"https://example.com/post-mortem?a=1&b=2"}, hrefs, "the link, without the full stop")
	assert.Len(t, statuspage.Find(statuspage.FindClass(doc, "update-body")[0], "p"), 2, "paragraphs")
	assert.Contains(t, statuspage.Text(doc), "<script>alert(1)</script>", "the text, shown as text")
}

// Rebuild writes a first, all-operational page, and renders every page
// again after a change of look.
func TestRebuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	p := newPage(t, statuspage.Config{Dir: dir, Components: []statuspage.ComponentInfo{{Name: "API"}}})
	require.NoError(t, p.ch.Rebuild(context.Background()))
	label, _ := banner(t, p.index())
	assert.Equal(t, "All systems operational", label)
	assert.Equal(t, map[string]string{"API": "Operational"}, components(t, p.index()))
	p.send(update("a", "a1", 0, broadcast.StatusResolved))

	q := newPage(t, statuspage.Config{Dir: dir, Branding: statuspage.Branding{Title: "New Name Status"}})
	require.NoError(t, q.ch.Rebuild(context.Background()))
	site := q.site()
	assert.Contains(t, statuspage.Text(site.Pages["incidents/a.html"]), "New Name Status", "an old incident's page")
	assert.Contains(t, site.Updates(), "a1", "the state survives")
}

// A page written by another look is rendered again on the next Send, not
// only on Rebuild.
func TestNewLookRendersOldPages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	p := newPage(t, statuspage.Config{Dir: dir})
	p.send(update("a", "a1", 0, broadcast.StatusResolved))
	q := newPage(t, statuspage.Config{Dir: dir, Branding: statuspage.Branding{Title: "Renamed"}})
	q.send(update("b", "b1", 1, broadcast.StatusInvestigating))
	assert.Contains(t, statuspage.Text(q.site().Pages["incidents/a.html"]), "Renamed")
}

// Preview shows the update as the page will, with its URL.
func TestPreview(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusIdentified, comp("API", broadcast.ComponentDegraded))
	u.Advice = "Retry."
	pv, err := p.ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "statuspage", pv.Channel)
	for _, want := range []string{u.Title, "Identified", u.Body, "Retry.", "API (Degraded performance)", p.ch.IncidentURL(u)} {
		assert.Contains(t, pv.Text, want)
	}
	assert.Equal(t, len([]rune(pv.Text)), pv.Length)
	_, err = p.ch.Preview(broadcast.Update{})
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	_, statErr := os.Stat(p.dir)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "Preview writes nothing")
}

// Through a Broadcaster: Correct edits the update in place, Retract
// removes it, and a Send repeated changes nothing.
func TestThroughBroadcaster(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	b, err := broadcast.New([]broadcast.Channel{p.ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	ctx := context.Background()
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	_, err = b.Send(ctx, u)
	require.NoError(t, err)
	p.send(update("a", "a2", 5, broadcast.StatusIdentified))

	fix := update("a", "a1-fix", 0, broadcast.StatusInvestigating)
	fix.Body = "Only the EU is affected."
	rep, err := b.Correct(ctx, "a1", fix)
	require.NoError(t, err)
	assert.Equal(t, "a1", rep.Results[0].Receipt.ID, "the corrected update's receipt")
	updates := p.site().Updates()
	require.Len(t, updates, 2, "corrected in place, nothing added")
	assert.Contains(t, updates["a1"], "Only the EU is affected.")

	_, err = b.Retract(ctx, "a1")
	require.NoError(t, err)
	assert.NotContains(t, p.site().Updates(), "a1")
	rep, err = b.Send(ctx, u)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "the Store remembers the Send")
}

// While an incident is open its page gives each component's latest status;
// once it is resolved, the page names the components it affected without
// a status, which would be stale: the front page shows them operational.
func TestIncidentPageComponentsAfterResolution(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("CDN", broadcast.ComponentPartialOutage),
		comp("API", broadcast.ComponentDegraded)))
	affects := func() string {
		found := statuspage.FindClass(p.site().Pages["incidents/a.html"], "affects")
		require.NotEmpty(t, found, "the incident page's components")
		return statuspage.Text(found[0]) // the incident's; each update's follow
	}
	assert.Equal(t, "Components: CDN (Partial outage), API (Degraded performance)", affects())

	p.send(update("a", "a2", 10, broadcast.StatusResolved))
	assert.Equal(t, "This incident affected: CDN, API", affects())
	assert.Equal(t, map[string]string{"CDN": "Operational", "API": "Operational"}, components(t, p.index()))
}

// The front page's past incidents show the first line of the latest
// update cut short, between grapheme clusters: a flag or a family emoji
// is kept whole or left out, never cut into another symbol.
func TestPastExcerptKeepsGraphemes(t *testing.T) {
	const flag, family = "🇩🇪", "👨\u200d👩\u200d👧"
	for _, tail := range []string{flag, family, "e\u0301"} {
		p := newPage(t, statuspage.Config{})
		p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
		u := update("a", "a2", 10, broadcast.StatusResolved)
		u.Body = strings.Repeat("a", 199) + tail + strings.Repeat("b", 20)
		p.send(u)
		past := statuspage.FindClass(statuspage.FindID(p.index(), "history"), "muted")
		require.NotEmpty(t, past, "the past incident")
		text := statuspage.Text(past[0])
		require.Contains(t, text, strings.Repeat("a", 199), "the excerpt")
		_, cut, _ := strings.Cut(text, strings.Repeat("a", 199))
		assert.True(t, strings.HasPrefix(cut, tail) || strings.HasPrefix(cut, "…"),
			"%q is cut inside %q", cut, tail)
	}
}
