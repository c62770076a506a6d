package statuspage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// Names of one component that differ only in case or spacing ("API" and
// "api", as alerts of several hosts label it) are one component, as
// broadcast.Update.Validate and Statuspage.io have them: the page listed
// both, the configured "API" operational beside an "api" in a major
// outage, and an update that marked "api" recovered left "API" as an
// earlier update gave it.
func TestComponentNamesInAnotherCaseAreOneComponent(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("api", broadcast.ComponentMajorOutage),
		comp("Data base", broadcast.ComponentDegraded)))
	assert.Equal(t, map[string]string{"API": "Major outage", "Data base": "Degraded performance"},
		components(t, p.index()))

	p.send(update("a", "a2", 5, broadcast.StatusMonitoring, comp("Api", broadcast.ComponentOperational),
		comp("data  BASE", broadcast.ComponentOperational)))
	assert.Equal(t, map[string]string{"API": "Operational", "Data base": "Operational"}, components(t, p.index()))
}

// A component that updates named before Config.Components listed it in
// another case ("api", then "API" configured) is one component too: the
// page listed both, the configured "API" operational beside an "api" in
// a major outage, and the update that marked "Api" recovered left "api"
// in the outage for good.
func TestComponentConfiguredLaterInAnotherCaseIsOneComponent(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("api", broadcast.ComponentMajorOutage)))

	q := newPage(t, statuspage.Config{Dir: p.dir, Components: []statuspage.ComponentInfo{{Name: "API"}}})
	require.NoError(t, q.ch.Rebuild(context.Background()))
	assert.Equal(t, map[string]string{"API": "Major outage"}, components(t, q.index()))

	q.send(update("a", "a2", 5, broadcast.StatusMonitoring, comp("Api", broadcast.ComponentOperational)))
	assert.Equal(t, map[string]string{"API": "Operational"}, components(t, q.index()))
}
