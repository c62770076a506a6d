//go:build integration

package statuspage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The browser test finds Chromium in $CHROMIUM or on the PATH
// (scripts/chromium.sh installs it), and saves its screenshots in
// $STATUSPAGE_SCREENSHOTS (CI keeps them), else in a new temporary
// directory it names in the log.
const (
	chromiumEnv    = "CHROMIUM"
	screenshotsEnv = "STATUSPAGE_SCREENSHOTS"
)

func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(chromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no Chromium: install it with scripts/chromium.sh, or set $%s", chromiumEnv)
	return ""
}

func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		var err error
		dir, err = os.MkdirTemp("", "statuspage-screenshots-")
		require.NoError(t, err)
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	t.Logf("screenshots in %s", dir)
	return dir
}

// browserSite writes the site of the browser test, served by an httptest
// server on loopback: an incident of three updates, the second corrected
// in place, a fourth retracted, and the third promising a next update by
// a time already past; a scheduled maintenance and a resolved incident
// from two days ago.
func browserSite(t *testing.T) (srv *httptest.Server, incidentURL string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "status")
	srv = httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "current"))))
	t.Cleanup(srv.Close)
	ch, err := statuspage.New(statuspage.Config{
		Dir: dir, BaseURL: srv.URL + "/",
		Components: []statuspage.ComponentInfo{{Name: "Website"}, {Name: "API", Description: "REST and GraphQL"},
			{Name: "CDN"}, {Name: "Database"}},
		Branding: statuspage.Branding{Title: "Example Status",
			Links: []statuspage.Link{{Text: "Support", URL: "mailto:support@example.com"}}},
	})
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	now := time.Now().UTC().Truncate(time.Minute)
	api := func(id string, ago time.Duration, s broadcast.Status, body string, comps ...broadcast.Component) broadcast.Update {
		return broadcast.Update{ID: id, IncidentID: "api-errors", Title: "Elevated error rates on the API",
			Status: s, Impact: broadcast.ImpactMinor, Body: body, Components: comps, Time: now.Add(-ago)}
	}
	updates := []broadcast.Update{
		{ID: "past-1", IncidentID: "slow-logins", Title: "Slow logins", Status: broadcast.StatusResolved,
			Impact: broadcast.ImpactMinor, Time: now.Add(-49 * time.Hour), Body: "Sign-ins are fast again."},
		{ID: "maint-1", IncidentID: "database-upgrade", Title: "Database upgrade", Status: broadcast.StatusScheduled,
			Impact: broadcast.ImpactMaintenance, Time: now.Add(-3 * time.Hour), NextUpdate: now.Add(46 * time.Hour),
			Body:       "We will upgrade the primary database. Writes may pause for up to five minutes.",
			Components: []broadcast.Component{{Name: "Database", Status: broadcast.ComponentMaintenance}}},
		api("api-1", 42*time.Minute, broadcast.StatusInvestigating, "Some API requests fail with 503 errors.",
			broadcast.Component{Name: "API", Status: broadcast.ComponentPartialOutage}),
		api("api-2", 25*time.Minute, broadcast.StatusIdentified, "A faulty load balancer change caused the errors; we are rolling it back.",
			broadcast.Component{Name: "API", Status: broadcast.ComponentPartialOutage}),
		api("api-3", 6*time.Minute, broadcast.StatusMonitoring, "The rollback is done; error rates are nearly normal.",
			broadcast.Component{Name: "API", Status: broadcast.ComponentDegraded}),
	}
	updates[4].Advice = "Retry failed requests.\nOr use the EU endpoint."
	updates[4].NextUpdate = now.Add(-time.Minute) // overdue
	updates = append(updates, api("api-wrong", 3*time.Minute, broadcast.StatusMonitoring, "Sent to the wrong page."))
	ctx := context.Background()
	for _, u := range updates {
		u.URL = ch.IncidentURL(u)
		_, err := b.Send(ctx, u)
		require.NoError(t, err, "Send of %s", u.ID)
	}
	fix := api("api-2-fix", 24*time.Minute, broadcast.StatusIdentified, correctedBody,
		broadcast.Component{Name: "API", Status: broadcast.ComponentPartialOutage})
	fix.URL = ch.IncidentURL(fix)
	_, err = b.Correct(ctx, "api-2", fix)
	require.NoError(t, err, "Correct of api-2")
	_, err = b.Retract(ctx, "api-wrong")
	require.NoError(t, err, "Retract of api-wrong")
	return srv, ch.IncidentURL(updates[2])
}

// correctedBody is the text of the browser test's correction of api-2.
const correctedBody = "A faulty load balancer change in the EU region caused the errors; we are rolling it back."

// newBrowser starts headless Chromium with the flags that work as root in
// a container, and with every host but loopback unresolvable, so that a
// request that would leave the machine fails (and shows in the console).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	require.NoError(t, chromedp.Do(bctx), "start Chromium")
	return bctx
}

// watcher records the console messages and the requests of a tab.
type watcher struct {
	mu       sync.Mutex
	console  []chromedp.ConsoleMessage
	requests []string
	stop     context.CancelFunc
	wg       sync.WaitGroup
}

func watch(ctx context.Context) *watcher {
	wctx, stop := context.WithCancel(ctx)
	w := &watcher{stop: stop}
	messages := chromedp.Console(wctx)
	requests := chromedp.Events(wctx, network.RequestWillBeSent)
	w.wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			w.mu.Lock()
			w.console = append(w.console, m)
			w.mu.Unlock()
		}
	})
	w.wg.Go(func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			w.mu.Lock()
			w.requests = append(w.requests, ev.Request.URL)
			w.mu.Unlock()
		}
	})
	return w
}

func (w *watcher) close() {
	w.stop()
	w.wg.Wait()
}

// screenshot saves a full-page PNG of the current page.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err, "screenshot %s", name)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
}

// links returns the absolute URLs of the page's links and resources.
func links(t *testing.T, ctx context.Context) []string {
	t.Helper()
	urls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('a[href], link[href], img[src]'), e => e.href || e.src)`))
	require.NoError(t, err)
	return urls
}

// Headless Chromium renders the site: the banner, the components, the
// incident's history newest first, links that resolve, no console error,
// no request leaving loopback, a phone-wide page that does not scroll
// sideways, dark mode, and pages that work with JavaScript off.
func TestBrowser(t *testing.T) {
	srv, incidentURL := browserSite(t)
	shots := screenshotDir(t)
	ctx := newBrowser(t)
	w := watch(ctx)

	// Desktop: the front page.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/")))
	label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status h1")))
	require.NoError(t, err)
	assert.Equal(t, "Degraded performance", label, "the banner")
	named, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status .banner-incidents")))
	require.NoError(t, err)
	assert.Contains(t, named, "Elevated error rates on the API", "the banner names the incident")
	states, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries(Array.from(document.querySelectorAll('li[data-component]'),
			li => [li.dataset.component, li.querySelector('.state').textContent.trim()]))`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Website": "Operational", "API": "Degraded performance",
		"CDN": "Operational", "Database": "Operational"}, states, "the components")
	screenshot(t, ctx, shots, "index-1280.png")
	all := links(t, ctx)

	// Phone: no sideways scrolling.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/")))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	require.NoError(t, err)
	assert.LessOrEqual(t, width, 390, "the page's width on a 390px phone")
	screenshot(t, ctx, shots, "index-390.png")

	// The incident page: updates newest first.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(incidentURL)))
	order, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('article.update'), a => a.dataset.status)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"monitoring", "identified", "investigating"}, order, "the incident's updates")
	advice, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('article.update .advice').innerText`))
	require.NoError(t, err)
	assert.Equal(t, "What you can do: Retry failed requests.\nOr use the EU endpoint.", advice, "the advice keeps its line break")
	checkCorrected(t, ctx)
	checkOverdue(t, ctx, "Overdue: the next update was due by ")
	checkRetracted(t, ctx)
	screenshot(t, ctx, shots, "incident-390.png")
	all = append(all, links(t, ctx)...)

	// The history page.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/history.html")))
	all = append(all, links(t, ctx)...)

	// Dark mode follows the system.
	require.NoError(t, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}), chromedp.Navigate(srv.URL+"/")))
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	require.NoError(t, err)
	assert.Equal(t, "rgb(13, 17, 23)", bg, "the dark background")
	screenshot(t, ctx, shots, "index-1280-dark.png")

	// JavaScript off: the same page.
	require.NoError(t, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}), chromedp.Navigate(srv.URL+"/")))
	label, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status h1")))
	require.NoError(t, err)
	assert.Equal(t, "Degraded performance", label, "the banner with JavaScript off")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(incidentURL)))
	checkOverdue(t, ctx, "Next update by ")

	w.close()
	for _, m := range w.console {
		assert.NotContains(t, []chromedp.ConsoleType{chromedp.ConsoleError, chromedp.ConsoleException, chromedp.ConsoleWarning},
			m.Type, "console: %s (%s)", m, m.URL)
	}
	assert.NotEmpty(t, w.requests, "the requests seen")
	for _, r := range w.requests {
		assert.True(t, strings.HasPrefix(r, srv.URL+"/"), "a request leaving loopback: %s", r)
	}
	checkLinks(t, srv, all)
}

// checkLinks fetches every link to the site: each answers 200.
func checkLinks(t *testing.T, srv *httptest.Server, all []string) {
	t.Helper()
	slices.Sort(all)
	all = slices.Compact(all)
	fetched := 0
	for _, l := range all {
		u, err := url.Parse(l)
		require.NoError(t, err)
		if u.Scheme == "mailto" {
			continue
		}
		if !assert.True(t, strings.HasPrefix(l, srv.URL+"/"), "a link off the site: %s", l) {
			continue
		}
		u.Fragment = ""
		resp, err := srv.Client().Get(u.String())
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "GET %s", u)
		fetched++
	}
	assert.Greater(t, fetched, 10, "links fetched")
}

// checkCorrected checks, on the incident page, that the update corrected
// in place shows the correction's text, not the original's, and says it
// was edited.
func checkCorrected(t *testing.T, ctx context.Context) {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector('article.update[data-update-id="api-2"]').innerText`))
	require.NoError(t, err)
	assert.Contains(t, text, correctedBody, "the corrected update")
	assert.NotContains(t, text, "A faulty load balancer change caused", "the corrected update's old text")
	assert.Regexp(t, `Edited \d+ \w+ \d{4} \d\d:\d\d UTC\.`, text, "the corrected update says it was edited")
}

// checkOverdue checks the incident page's promise of a next update, whose
// time has passed: with JavaScript, want says it is overdue; without, the
// page as written says "Next update by ". Only the latest update is
// marked.
func checkOverdue(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('.next-update'), e => e.closest('article.update').dataset.updateId + ': ' + e.textContent)`))
	require.NoError(t, err)
	require.Len(t, texts, 1, "the promises of a next update")
	assert.True(t, strings.HasPrefix(texts[0], "api-3: "+want), "the promise of a next update: %q", texts[0])
	assert.True(t, strings.HasSuffix(texts[0], " UTC."), "the promise of a next update: %q", texts[0])
}

// checkRetracted checks that the retracted update is off the incident
// page, and that the site's feed, fetched by the page, holds its
// retraction notice in its stead.
func checkRetracted(t *testing.T, ctx context.Context) {
	t.Helper()
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('article.update'), a => a.dataset.updateId)`))
	require.NoError(t, err)
	assert.NotContains(t, ids, "api-wrong", "the retracted update on its incident's page")
	notice, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`fetch('../history.atom').then(r => r.text()).then(x => {
		const doc = new DOMParser().parseFromString(x, 'application/xml');
		return Array.from(doc.getElementsByTagName('entry'))
			.filter(e => e.getElementsByTagName('title')[0].textContent.startsWith('Retracted: '))
			.map(e => e.getElementsByTagName('title')[0].textContent + ' | ' + e.getElementsByTagName('content')[0].textContent);
	})`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Len(t, notice, 1, "the feed's retraction notices")
	assert.Contains(t, notice[0], "was withdrawn", "the retraction notice")
	assert.NotContains(t, notice[0], "Sent to the wrong page.", "the retraction notice")
}

// Chromium reads the history of many closed incidents: history.html lists
// the latest HistoryPageIncidents, and following its links to the month
// pages, and theirs to the further pages of a month of more than
// MonthPageIncidents, reaches every incident; no page scrolls sideways on
// a phone, and every link answers.
func TestBrowserHistory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "current"))))
	t.Cleanup(srv.Close)
	ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: srv.URL + "/"})
	require.NoError(t, err)
	const n, flaps = 75, statuspage.MonthPageIncidents + 5 // over five months, and a flapping alert
	start := time.Now().UTC().Truncate(time.Minute).Add(-n * 2 * 24 * time.Hour)
	y, mo, _ := start.AddDate(0, 0, 40).Date()
	flapping := time.Date(y, mo, 2, 0, 0, 0, 0, time.UTC) // every 10 minutes of a day of that month
	for i := range n + flaps {
		at := start.Add(time.Duration(i) * 2 * 24 * time.Hour)
		if i >= n {
			at = flapping.Add(time.Duration(i-n) * 10 * time.Minute)
		}
		u := broadcast.Update{ID: fmt.Sprintf("u-%d", i), IncidentID: fmt.Sprintf("inc-%d", i),
			Title: fmt.Sprintf("Incident %d", i), Status: broadcast.StatusResolved, Impact: broadcast.ImpactMinor,
			Body: "Fixed.", Time: at}
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
	}
	ctx := newBrowser(t)
	w := watch(ctx)
	incidents := func() []string {
		t.Helper()
		urls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('main a[href*="incidents/"]'), a => a.href)`))
		require.NoError(t, err)
		return urls
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/history.html")))
	assert.Len(t, incidents(), statuspage.HistoryPageIncidents, "the incidents history.html lists")
	months, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#months-h ~ ul a'), a => a.href)`))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(months), 5, "the month pages history.html links to")
	all := links(t, ctx)
	reached := map[string]bool{}
	parts := 0
	for j := 0; j < len(months); j++ {
		m := months[j]
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(m)))
		more, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('nav[aria-label^="Pages of"] a:not([aria-current])'), a => a.href)`))
		require.NoError(t, err)
		for _, p := range more {
			if !slices.Contains(months, p) {
				months = append(months, p)
				parts++
			}
		}
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		require.NoError(t, err)
		assert.LessOrEqual(t, width, 390, "%s's width on a 390px phone", m)
		for _, u := range incidents() {
			reached[u] = true
		}
		all = append(all, links(t, ctx)...)
	}
	assert.Equal(t, 1, parts, "the further pages of the flapping month")
	for i := range n + flaps {
		assert.True(t, reached[fmt.Sprintf("%s/incidents/inc-%d.html", srv.URL, i)], "incident %d from the month pages", i)
	}
	w.close()
	for _, m := range w.console {
		assert.NotContains(t, []chromedp.ConsoleType{chromedp.ConsoleError, chromedp.ConsoleException, chromedp.ConsoleWarning},
			m.Type, "console: %s (%s)", m, m.URL)
	}
	checkLinks(t, srv, all)
}

// A page in another language keeps its language when overdue.js marks a
// promise overdue: the update template gives the words in the span's
// data-overdue, which the script writes instead of its English default.
func TestBrowserOverdueTranslated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "current"))))
	t.Cleanup(srv.Close)
	const update = `{{define "update"}}<article class="update" id="{{.Anchor}}">` +
		`<p>{{.Status.Label}}</p>{{if not .NextUpdate.IsZero}}<p><span class="next-update"{{if .Pending}} data-pending{{end}}` +
		` data-overdue="Überfällig: das nächste Update war fällig bis ">Nächstes Update bis {{time .NextUpdate}}.</span></p>{{end}}` +
		`</article>{{end}}`
	ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: srv.URL + "/", Language: "de",
		Templates: fstest.MapFS{"update.tmpl": {Data: []byte(update)}}})
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Minute)
	u := broadcast.Update{ID: "a1", IncidentID: "a", Title: "Fehlerhafte API", Status: broadcast.StatusInvestigating,
		Time: now.Add(-time.Hour), NextUpdate: now.Add(-time.Minute)}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	ctx := newBrowser(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/incidents/a.html")))
	// overdue.js is deferred: it has run when the page has loaded.
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.next-update').textContent`))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(text, "Überfällig: das nächste Update war fällig bis "), "the overdue promise: %q", text)
	assert.True(t, strings.HasSuffix(text, " UTC."), "the overdue promise: %q", text)
}

// A reader of the month page of an incident across New Year sees the
// year of its end, which the month's heading does not give.
func TestBrowserNewYear(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "current"))))
	t.Cleanup(srv.Close)
	ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: srv.URL + "/"})
	require.NoError(t, err)
	start := time.Date(2025, time.December, 31, 23, 30, 0, 0, time.UTC)
	for i, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved} {
		u := broadcast.Update{ID: fmt.Sprintf("nye-%d", i), IncidentID: "nye", Title: "Login failures",
			Status: status, Impact: broadcast.ImpactMinor, Time: start.Add(time.Duration(i) * 70 * time.Minute)}
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
	}
	ctx := newBrowser(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/history-2025-12.html")))
	line, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.month li').innerText`))
	require.NoError(t, err)
	assert.Contains(t, line, "31 Dec 23:30 UTC–1 Jan 2026 00:40 UTC")
}

// focusRing is a script that returns "" when the focused link's focus ring
// has a contrast of 3:1 at least against what is behind it (WCAG 2.1 AA,
// 2.4.7 and 1.4.11): the first background colour of its parent or the
// parent's ancestors; else what is wrong with it.
const focusRing = `(() => {
	const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
	const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
	const behind = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
	const a = document.activeElement;
	if (!a || a.tagName !== 'A') return 'the focus is on ' + (a ? a.tagName : 'nothing');
	const s = getComputedStyle(a);
	const r = ratio(rgb(s.outlineColor), behind(a.parentElement));
	if (!a.matches(':focus-visible') || s.outlineStyle === 'none' || r < 3) return a.textContent.trim() + ': ' + s.outlineStyle + ' ' + s.outlineColor + ', ' + r.toFixed(2) + ':1';
	return '';
})()`

// A keyboard user sees where the focus is on every link of the pages, in
// light and dark mode: in the banner too, whose background is a status
// colour (the maintenance colour is the link colour itself).
func TestBrowserFocusVisible(t *testing.T) {
	srv, incidentURL := browserSite(t)
	ctx := newBrowser(t)
	for _, scheme := range []string{"light", "dark"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		})))
		for _, u := range []string{srv.URL + "/", incidentURL, srv.URL + "/history.html"} {
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(u)))
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href]').length`))
			require.NoError(t, err)
			require.Positive(t, n, u)
			for range n {
				require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
				bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](focusRing))
				require.NoError(t, err)
				assert.Empty(t, bad, "%s in %s mode: a link whose focus does not show", u, scheme)
			}
		}
	}
}

// lastCharSide is a script, a function of a CSS selector and a text,
// that returns where the text's last character shows in the first
// element matching the selector that holds the text: "right" of the
// character before it, or "left"; "missing" when no element holds it.
const lastCharSide = `((sel, text) => {
	for (const el of document.querySelectorAll(sel)) {
		const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = w.nextNode(); n; n = w.nextNode()) {
			const i = n.data.indexOf(text);
			if (i < 0) continue;
			const end = i + text.length;
			const rect = k => { const r = document.createRange(); r.setStart(n, k); r.setEnd(n, k + 1); return r.getBoundingClientRect(); };
			return rect(end - 1).left > rect(end - 2).left ? 'right' : 'left';
		}
	}
	return 'missing';
})`

// Text of one direction on a page of the other keeps its own: an English
// title, body, advice or component name ending in a full stop on an
// Arabic page, and the same in Arabic on an English page, end with the
// full stop where their own direction puts it, not where the page's does
// (".Some requests fail" on a right-to-left page).
func TestBrowserUserTextKeepsItsDirection(t *testing.T) {
	for _, tc := range []struct {
		lang, title, body, advice, comp, end string
	}{
		{"ar", "API errors in the EU.", "Some requests fail.", "Retry later.", "Storage, EU.", "right"},
		{"en", "أخطاء في الواجهة.", "تفشل بعض الطلبات.", "أعد المحاولة لاحقاً.", "التخزين، أوروبا.", "left"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "status")
			srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "current"))))
			t.Cleanup(srv.Close)
			ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: srv.URL + "/", Language: tc.lang})
			require.NoError(t, err)
			u := broadcast.Update{ID: "a1", IncidentID: "a", Title: tc.title, Status: broadcast.StatusInvestigating,
				Impact: broadcast.ImpactMinor, Body: tc.body, Advice: tc.advice, Time: time.Now().UTC().Add(-time.Hour),
				Components: []broadcast.Component{{Name: tc.comp, Status: broadcast.ComponentDegraded}}}
			_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err)
			ctx := newBrowser(t)
			for page, checks := range map[string][][2]string{
				"/": {{"#status li", tc.title}, {".incident h3", tc.title}, {".component-name", tc.comp},
					{".update-body", tc.body}, {".advice", tc.advice}, {".update .affects", tc.comp}},
				"/incidents/a.html": {{"h1", tc.title}, {".incident-meta ~ .affects", tc.comp}},
			} {
				require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+page)))
				for _, c := range checks {
					side, err := chromedp.Run(ctx, chromedp.Evaluate[string](
						fmt.Sprintf("%s(%q, %q)", lastCharSide, c[0], c[1])))
					require.NoError(t, err)
					assert.Equal(t, tc.end, side, "%s: the end of %q in %s", page, c[1], c[0])
				}
			}
		})
	}
}
