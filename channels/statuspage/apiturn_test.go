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

// apiComponent returns the status and updated_at of component name in
// components.json.
func apiComponent(t *testing.T, s *statuspage.Site, name string) (status, updated string) {
	t.Helper()
	for _, c := range s.JSON["api/v2/components.json"].(map[string]any)["components"].([]any) {
		if c := c.(map[string]any); c["name"] == name {
			return c["status"].(string), c["updated_at"].(string)
		}
	}
	t.Fatalf("no component %q in components.json", name)
	return "", ""
}

// apiUpdate returns the update id of incident in incidents.json.
func apiUpdate(t *testing.T, s *statuspage.Site, incident, id string) map[string]any {
	t.Helper()
	in := apiIncident(s, incident)
	require.NotNil(t, in, "incident %s", incident)
	for _, u := range in["incident_updates"].([]any) {
		if u := u.(map[string]any); u["id"] == id {
			return u
		}
	}
	t.Fatalf("no update %s of %s in incidents.json", id, incident)
	return nil
}

// Another update's correction or retraction can change whether an update
// begins or ends its incident's giving statuses (entry.Turned), which
// changes its entry in the feeds of the components it does not name, and
// only there: in the JSON, the update says what it said, with the same
// affected_components, and its components' statuses stay as they were.
// Its updated_at, "when the incident update is updated" in Statuspage's
// API, and its components' updated_at, when their status last changed,
// moved all the same (b here).
func TestAPIUpdatedAtStaysWhenAnUpdateOnlyTurns(t *testing.T) {
	at := func(n int) string { return t0.Add(-time.Hour + time.Duration(n)*time.Minute).Format(apiTimeLayout) }
	for _, tc := range []struct {
		name   string
		change func(p *page)
	}{
		{"earlier update corrected", func(p *page) {
			_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(
				update("x", "a", 0, broadcast.StatusResolved, comp("C1", broadcast.ComponentMajorOutage))),
				broadcast.Receipt{ID: "a"})
			require.NoError(t, err)
		}},
		{"earlier update retracted", func(p *page) {
			require.NoError(t, p.ch.Retract(context.Background(), broadcast.Receipt{ID: "a"}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			p.send(update("x", "a", 0, broadcast.StatusInvestigating, comp("C1", broadcast.ComponentMajorOutage)))
			p.send(update("x", "b", 1, broadcast.StatusIdentified, comp("C2", broadcast.ComponentDegraded)))
			p.send(update("x", "c", 2, broadcast.StatusMonitoring, comp("C1", broadcast.ComponentOperational)))
			before := p.site()
			b := apiUpdate(t, before, "x", "b")
			require.Equal(t, at(1), b["updated_at"])
			status, updated := apiComponent(t, before, "C2")

			p.now = t0.Add(time.Hour)
			tc.change(p)
			after := p.site()
			require.Equal(t, t0.Add(time.Hour), *itemOf(t, after.Feeds["components/c1.atom"], "b").UpdatedParsed,
				"the test's premise: b turned, its entry in C1's feed changed")
			assert.Equal(t, b, apiUpdate(t, after, "x", "b"), "b in the JSON, updated_at with it")
			if tc.name == "earlier update corrected" {
				// A retraction moves every component of its incident on
				// (see TestRetractionMovesUpdatedAt): a correction of an update
				// not naming C2 does not.
				st, up := apiComponent(t, after, "C2")
				assert.Equal(t, status, st, "C2's status")
				assert.Equal(t, updated, up, "C2's updated_at: its status did not change")
			}
		})
	}
}

// A correction taking a component out of an update gives the component
// back the status the incident's earlier updates gave it (entry.Returned):
// its status changed then, and its updated_at in the JSON must move, as
// tools polling components.json for changes take it, also when the
// update is no longer among the incident's latest that all give statuses.
func TestAPIComponentUpdatedAtMovesWhenACorrectionGivesItsStatusBack(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("x", "v", 0, broadcast.StatusInvestigating, comp("C", broadcast.ComponentDegraded)))
	p.send(update("x", "w", 1, broadcast.StatusIdentified, comp("C", broadcast.ComponentMajorOutage),
		comp("D", broadcast.ComponentDegraded)))
	p.send(update("x", "r", 2, broadcast.StatusResolved))
	p.send(update("x", "y", 3, broadcast.StatusInvestigating, comp("D", broadcast.ComponentMajorOutage)))
	status, _ := apiComponent(t, p.site(), "C")
	require.Equal(t, "major_outage", status, "the test's premise: the reopened incident gives C w's status")

	p.now = t0.Add(time.Hour)
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(
		update("x", "w", 1, broadcast.StatusIdentified, comp("D", broadcast.ComponentDegraded))),
		broadcast.Receipt{ID: "w"})
	require.NoError(t, err)
	status, updated := apiComponent(t, p.site(), "C")
	require.Equal(t, "degraded_performance", status, "the test's premise: the correction gave C v's status back")
	assert.Equal(t, t0.Add(time.Hour).Format(apiTimeLayout), updated, "C's updated_at")
}
