package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// An incident of Impact maintenance whose status is not a maintenance's
// ("investigating", which Update.Validate accepts) was in incidents.json,
// unresolved.json and summary.json with impact "maintenance", which
// Statuspage's incidents do not have (none, minor, major, critical): a
// client reading them by Statuspage's API refused it or took it for an
// unknown severity. It is there an incident of impact none, no outage,
// as the page's badge (Maintenance, not an outage's) and the status's
// indicator ("maintenance", not minor or worse) say; a maintenance keeps
// its impact maintenance.
func TestAPIIncidentOfImpactMaintenance(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(withImpact(update("work", "w1", 0, broadcast.StatusInvestigating,
		comp("API", broadcast.ComponentMaintenance)), broadcast.ImpactMaintenance))
	p.send(maintenance("planned", "m1", 5, broadcast.StatusInProgress))
	site := p.site()

	for path, key := range map[string]string{"api/v2/incidents.json": "incidents",
		"api/v2/incidents/unresolved.json": "incidents", "api/v2/summary.json": "incidents"} {
		list := site.JSON[path].(map[string]any)[key].([]any)
		require.Len(t, list, 1, path)
		in := list[0].(map[string]any)
		assert.Equal(t, "work", in["id"], path)
		assert.Equal(t, "none", in["impact"], path)
		assert.Empty(t, checkShape(path, site.JSON[path], apiShapes[path]), "%s in Statuspage's shape", path)
	}
	for _, path := range []string{"api/v2/scheduled-maintenances.json", "api/v2/scheduled-maintenances/active.json"} {
		list := site.JSON[path].(map[string]any)["scheduled_maintenances"].([]any)
		require.Len(t, list, 1, path)
		assert.Equal(t, "maintenance", list[0].(map[string]any)["impact"], path)
	}
	status := site.JSON["api/v2/status.json"].(map[string]any)["status"].(map[string]any)
	assert.Equal(t, "maintenance", status["indicator"])
}
