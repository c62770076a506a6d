package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// An update's affected_components lists, as Statuspage's do, every
// component the update names, its status changed or not (captured
// incidents.json of public Statuspage pages list "degraded_performance"
// to "degraded_performance" and "operational" to "operational"), and is
// null when the update names none (as their "This incident has been
// resolved." updates are). The pages show only the changes; the JSON
// keeps Statuspage's shape.
func TestAPIAffectedComponentsAsStatuspage(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(update("a", "a2", 5, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	p.send(update("a", "a3", 10, broadcast.StatusResolved))
	incidents := p.site().JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any)
	require.Len(t, incidents, 1)
	affected := map[string]any{}
	for _, u := range incidents[0].(map[string]any)["incident_updates"].([]any) {
		u := u.(map[string]any)
		affected[u["id"].(string)] = u["affected_components"]
	}
	change := func(old, new string) []any {
		return []any{map[string]any{"code": affected["a1"].([]any)[0].(map[string]any)["code"], "name": "API",
			"old_status": old, "new_status": new}}
	}
	assert.Equal(t, map[string]any{
		"a1": change("operational", "degraded_performance"),
		"a2": change("degraded_performance", "degraded_performance"),
		"a3": nil,
	}, affected)
}
