package statuspage_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// apiIncident returns incident id as incidents.json gives it, or nil.
func apiIncident(s *statuspage.Site, id string) map[string]any {
	for _, in := range s.JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any) {
		if in := in.(map[string]any); in["id"] == id {
			return in
		}
	}
	return nil
}

// A correction of an earlier update, added as an update of its own (the
// update it corrects is not on the page), keeps the status it corrects:
// "investigating" of an incident since resolved. A Broadcaster hands it
// to the page with the time of Correct, later than every update, and
// Message.Current false. The page took the incident's status from its
// latest update, the correction: the resolved incident showed as open
// again, in the banner, the components, the open incidents, the JSON
// (status, resolved_at, unresolved.json) and with a "Next update by"
// promise. It now takes them from the latest update that says the
// incident's current status, and lists the correction among the updates.
func TestStaleCorrectionKeepsIncidentResolved(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	api := func(s broadcast.ComponentStatus) broadcast.Component { return comp("API", s) }

	// The page where the incident was first posted.
	first := newPage(t, statuspage.Config{})
	b1, err := broadcast.New([]broadcast.Channel{first.ch}, broadcast.Options{Store: store})
	require.NoError(t, err)
	defer b1.Close()
	_, err = b1.Send(ctx, update("a", "a1", 0, broadcast.StatusInvestigating, api(broadcast.ComponentMajorOutage)))
	require.NoError(t, err)

	// The page started afresh in a new directory: a1 is not on it.
	p := newPage(t, statuspage.Config{Dir: filepath.Join(t.TempDir(), "new")})
	b, err := broadcast.New([]broadcast.Channel{p.ch}, broadcast.Options{Store: store})
	require.NoError(t, err)
	defer b.Close()
	resolved := update("a", "a2", 30, broadcast.StatusResolved, api(broadcast.ComponentOperational))
	_, err = b.Send(ctx, resolved)
	require.NoError(t, err)

	fix := update("a", "a1-fix", 0, broadcast.StatusInvestigating, api(broadcast.ComponentMajorOutage))
	fix.Time = time.Time{} // the time of Correct
	fix.Body, fix.NextUpdate = "Errors in the EU only.", time.Now().Add(time.Hour)
	rep, err := b.Correct(ctx, "a1", fix)
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)

	s := p.site()
	require.Contains(t, s.Updates(), "a1-fix", "the correction is listed")
	assert.Contains(t, s.Updates()["a1-fix"], "Correction")
	assert.Contains(t, s.Updates(), "a2")

	label, names := banner(t, s.Pages["index.html"])
	assert.Equal(t, "All systems operational", label)
	assert.Empty(t, names, "the banner names no incident")
	assert.Equal(t, map[string]string{"API": "Operational"}, components(t, s.Pages["index.html"]))
	assert.False(t, strings.Contains(string(s.Files["index.html"]), "Next update by"), "no promise of a resolved incident")

	in := apiIncident(s, "a")
	require.NotNil(t, in)
	assert.Equal(t, "resolved", in["status"])
	assert.Equal(t, resolved.Time.UTC().Format(apiTimeLayout), in["resolved_at"])
	assert.Empty(t, s.JSON["api/v2/incidents/unresolved.json"].(map[string]any)["incidents"])
	status := s.JSON["api/v2/status.json"].(map[string]any)["status"].(map[string]any)
	assert.Equal(t, "none", status["indicator"])
	assert.True(t, strings.Contains(string(s.Files["history.html"]), "Elevated error rates on the API"), "listed among the past incidents")

	// The feed gives the correction as one.
	items := s.Feeds["history.atom"].Items
	require.NotEmpty(t, items)
	assert.True(t, strings.HasPrefix(items[0].Title, "Correction: "), "the feed's latest entry: %q", items[0].Title)
}

// The same with a Message built by hand, whose Thread says the latest
// post is not the update corrected: Edit of an update not on the page.
// And a later update of the incident, current, takes over again.
func TestStaleCorrectionByEdit(t *testing.T) {
	ctx := context.Background()
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a2", 30, broadcast.StatusResolved, comp("API", broadcast.ComponentOperational)))
	fix := update("a", "a1-fix", 40, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage))
	fix.Corrects = "a1"
	m := broadcast.NewMessage(fix)
	m.Thread.Last.UpdateID = "a2"
	require.False(t, m.Current())
	_, err := p.ch.Edit(ctx, m, broadcast.Receipt{ID: "a1"})
	require.NoError(t, err)

	s := p.site()
	assert.Contains(t, s.Updates(), "a1-fix")
	assert.Equal(t, "resolved", apiIncident(s, "a")["status"])
	assert.Equal(t, map[string]string{"API": "Operational"}, components(t, s.Pages["index.html"]))

	// The page's state keeps it: a Channel started afresh on the
	// directory writes the page the same.
	later := newPage(t, statuspage.Config{Dir: p.dir})
	later.send(update("b", "b1", 45, broadcast.StatusInvestigating))
	s = later.site()
	assert.Equal(t, "resolved", apiIncident(s, "a")["status"], "after a restart")
	assert.Equal(t, map[string]string{"API": "Operational"}, components(t, s.Pages["index.html"]), "after a restart")

	// Reopened by an update of its own: open again.
	p.send(update("a", "a3", 50, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	s = p.site()
	assert.Equal(t, "investigating", apiIncident(s, "a")["status"])
	assert.Equal(t, map[string]string{"API": "Degraded performance"}, components(t, s.Pages["index.html"]))
}

// An incident started when its first update says it did. A correction
// added as an update of its own, with a Time before that (made from a
// copy of an earlier update the page does not have), is no new start:
// the incident stays listed under the day and month of its first update,
// with that start in the JSON. A backdated update that is no correction
// does move the start: it says the incident began earlier. The page took
// the time of its earliest update of any kind, and moved the incident to
// the month before.
func TestEarlyCorrectionDoesNotMoveStart(t *testing.T) {
	p := newPage(t, statuspage.Config{HistoryDays: 60})
	start := time.Date(2025, time.March, 1, 0, 30, 0, 0, time.UTC)
	first := update("a", "a1", 0, broadcast.StatusInvestigating)
	first.Time = start
	resolved := update("a", "a2", 0, broadcast.StatusResolved)
	resolved.Time = start.Add(time.Hour)
	p.send(first)
	p.send(resolved)

	fix := update("a", "a0-fix", 0, broadcast.StatusInvestigating)
	fix.Corrects, fix.Body, fix.Time = "a0", "It began at 23:00 the day before.", start.Add(-90*time.Minute)
	p.send(fix)

	months := func(s *statuspage.Site) []string {
		var out []string
		for name := range s.Pages {
			if strings.HasPrefix(name, "history-") {
				out = append(out, name)
			}
		}
		return out
	}
	s := p.site()
	assert.Contains(t, s.Updates(), "a0-fix", "the correction is listed")
	assert.Equal(t, []string{"history-2025-03.html"}, months(s), "listed under the month of its first update")
	in := apiIncident(s, "a")
	require.NotNil(t, in)
	assert.Equal(t, start.UTC().Format(apiTimeLayout), in["started_at"])
	assert.Equal(t, start.UTC().Format(apiTimeLayout), in["created_at"])
	day := statuspage.Find(statuspage.FindID(s.Pages["index.html"], "history"), "time")
	require.NotEmpty(t, day)
	assert.Equal(t, "2025-03-01", statuspage.Attr(day[0], "datetime")[:10], "the day it is listed under")

	// A backdated update of its own: the incident began earlier.
	early := update("a", "a0", 0, broadcast.StatusInvestigating)
	early.Time = start.Add(-time.Hour)
	p.send(early)
	s = p.site()
	assert.Equal(t, []string{"history-2025-02.html"}, months(s))
	assert.Equal(t, early.Time.UTC().Format(apiTimeLayout), apiIncident(s, "a")["started_at"])
}

// A correction added as an update of its own stays one when it is
// corrected in turn, in place: still tagged "Correction", still no start
// of the incident, and still not its current status when it was stale.
// The edit cleared what it corrected, as for an update corrected in
// place: the tag went, and its early Time became the incident's start.
func TestCorrectionCorrectedInPlaceStaysCorrection(t *testing.T) {
	ctx := context.Background()
	p := newPage(t, statuspage.Config{})
	start := time.Date(2025, time.March, 1, 0, 30, 0, 0, time.UTC)
	first := update("a", "a1", 0, broadcast.StatusInvestigating)
	first.Time = start
	resolved := update("a", "a2", 0, broadcast.StatusResolved)
	resolved.Time = start.Add(time.Hour)
	p.send(first)
	p.send(resolved)
	fix := update("a", "a0-fix", 0, broadcast.StatusInvestigating)
	fix.Corrects, fix.Body, fix.Time = "a0", "It began at 23:00 the day before.", start.Add(-90*time.Minute)
	m := broadcast.NewMessage(fix)
	m.Thread.Last.UpdateID = "a2"
	r, err := p.ch.Edit(ctx, m, broadcast.Receipt{ID: "a0"})
	require.NoError(t, err)
	require.Equal(t, "a0-fix", r.ID, "added as an update of its own")

	again := fix
	again.ID, again.Corrects, again.Body = "a0-fix2", "a0-fix", "It began at 22:00 the day before."
	m = broadcast.NewMessage(again)
	m.Thread.Last.UpdateID = "a2"
	_, err = p.ch.Edit(ctx, m, r)
	require.NoError(t, err)

	s := p.site()
	require.Contains(t, s.Updates(), "a0-fix")
	assert.Contains(t, s.Updates()["a0-fix"], "22:00")
	assert.Contains(t, s.Updates()["a0-fix"], "Correction", "still tagged")
	in := apiIncident(s, "a")
	require.NotNil(t, in)
	assert.Equal(t, start.UTC().Format(apiTimeLayout), in["started_at"])
	assert.Equal(t, "resolved", in["status"])
}
