package statuspage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A past incident keeps its place when it is corrected long after it was
// resolved: as on Statuspage, the past incidents are those resolved in
// the last Config.HistoryDays, listed by the day they started, and an
// incident's resolution is when it was resolved, not its last change.
// An edit of the resolution of an incident of months ago brought it back
// among the front page's past incidents, and a correction added as an
// update of its own moved its resolution (on the pages and the JSON's
// resolved_at) to the day of the correction.
func TestLateCorrectionKeepsPastIncidentsPlace(t *testing.T) {
	p := newPage(t, statuspage.Config{HistoryDays: 30})
	start := t0.AddDate(0, 0, -100)
	open := update("old", "old-1", 0, broadcast.StatusInvestigating)
	open.Time, open.Title = start, "Old outage"
	resolved := update("old", "old-2", 0, broadcast.StatusResolved)
	resolved.Time, resolved.Title = start.Add(2*time.Hour), "Old outage"
	p.send(open)
	p.send(resolved)
	recent := update("recent", "recent-1", 0, broadcast.StatusResolved)
	recent.Time, recent.Title = t0.AddDate(0, 0, -2), "Recent outage"
	p.send(recent)

	past := func() []string {
		var out []string
		for _, a := range statuspage.Find(statuspage.FindID(p.index(), "history"), "a") {
			out = append(out, statuspage.Attr(a, "href"))
		}
		return out
	}
	resolvedAt := func() string {
		for _, in := range p.site().JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any) {
			if in := in.(map[string]any); in["id"] == "old" {
				return in["resolved_at"].(string)
			}
		}
		t.Fatal("the old incident is not in incidents.json")
		return ""
	}
	want := resolved.Time.UTC().Format(apiTimeLayout)
	require.Equal(t, []string{"incidents/recent.html", "history.html"}, past(), "the past incidents before the correction")
	require.Equal(t, want, resolvedAt())

	// An edit, months later, of the update that resolved it.
	p.now = t0
	fix := resolved
	fix.ID, fix.Body, fix.Time = "old-2-fix", "The cause was an expired certificate.", t0
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), broadcast.Receipt{ID: "old-2"})
	require.NoError(t, err)
	assert.Equal(t, []string{"incidents/recent.html", "history.html"}, past(), "the past incidents after an edit")
	assert.Equal(t, want, resolvedAt(), "resolved_at after an edit")

	// A correction added as an update of its own.
	p.now = t0.Add(time.Hour)
	note := resolved
	note.ID, note.Corrects, note.Body, note.Time = "old-3", "gone", "Correction: it began at 09:00.", p.now
	p.send(note)
	assert.Equal(t, []string{"incidents/recent.html", "history.html"}, past(), "the past incidents after a correction")
	assert.Equal(t, want, resolvedAt(), "resolved_at after a correction")
	month := statuspage.Text(statuspage.Find(p.site().Pages["history.html"], "main")[0])
	assert.Contains(t, month, "Old outage", "history.html")
	for _, tm := range statuspage.Find(p.site().Pages["history.html"], "time") {
		assert.NotEqual(t, t0.Add(time.Hour).Format(time.RFC3339), statuspage.Attr(tm, "datetime"),
			"history.html gives the correction's time as the resolution")
	}
}
