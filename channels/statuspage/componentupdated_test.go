package statuspage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A component's status changes when an update changes the standing of an
// incident that names it (resolved, reopened, a maintenance begun or
// completed), also when that update names no component: its updated_at
// in the JSON moves then, as Statuspage's does, so that tools that poll
// the JSON for what changed since their last look see the component
// recover. It does not move for an update that changes no component's
// status.
func TestComponentUpdatedAtMovesWithItsStatus(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}, {Name: "Database"}}})
	at := func(n int) time.Time { return t0.Add(-time.Hour + time.Duration(n)*time.Minute) }
	p.now = at(0)
	send := func(u broadcast.Update) {
		t.Helper()
		p.now = u.Time
		p.send(u)
	}
	component := func(name string) (status string, updated time.Time) {
		t.Helper()
		for _, c := range p.site().JSON["api/v2/components.json"].(map[string]any)["components"].([]any) {
			if c := c.(map[string]any); c["name"] == name {
				tm, err := time.Parse(time.RFC3339, c["updated_at"].(string))
				require.NoError(t, err)
				return c["status"].(string), tm
			}
		}
		t.Fatalf("no component %q in components.json", name)
		return "", time.Time{}
	}

	send(update("a", "a1", 1, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)))
	status, updated := component("API")
	assert.Equal(t, "major_outage", status)
	assert.Equal(t, at(1), updated)

	send(update("a", "a2", 10, broadcast.StatusIdentified)) // no component's status changes
	status, updated = component("API")
	assert.Equal(t, "major_outage", status)
	assert.Equal(t, at(1), updated, "an update that changes no status")

	send(update("a", "a3", 20, broadcast.StatusResolved))
	status, updated = component("API")
	assert.Equal(t, "operational", status)
	assert.Equal(t, at(20), updated, "the incident resolved by an update that names no component")

	send(update("a", "a4", 30, broadcast.StatusInvestigating))
	status, updated = component("API")
	assert.Equal(t, "major_outage", status)
	assert.Equal(t, at(30), updated, "the incident reopened")

	send(maintenance("m", "m1", 40, broadcast.StatusScheduled))
	status, _ = component("Database")
	assert.Equal(t, "operational", status, "a maintenance not begun")
	m2 := update("m", "m2", 50, broadcast.StatusInProgress)
	m2.Impact = broadcast.ImpactMaintenance
	send(m2)
	status, updated = component("Database")
	assert.Equal(t, "under_maintenance", status)
	assert.Equal(t, at(50), updated, "the maintenance begun by an update that names no component")
}
