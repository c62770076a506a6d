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

// A component that only a retracted update named, or that a correction
// edited out (a misspelt name), is gone from the page and the JSON: a
// visitor must not keep seeing what was withdrawn. Its feed stays, to
// tell its readers of the retraction.
func TestComponentOfAWithdrawnUpdateLeavesThePage(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "API"}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	r := p.send(update("a", "a2", 5, broadcast.StatusIdentified, comp("Project Nightjar", broadcast.ComponentMajorOutage)))
	typo := p.send(update("b", "b1", 6, broadcast.StatusInvestigating, comp("Paymnets", broadcast.ComponentDegraded)))

	p.now = t0.Add(time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	fix := update("b", "b1-fix", 7, broadcast.StatusInvestigating, comp("Payments", broadcast.ComponentDegraded))
	fix.Corrects = "b1"
	_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), typo)
	require.NoError(t, err)

	site := p.site()
	assert.Equal(t, map[string]string{"API": "Degraded performance", "Payments": "Degraded performance"},
		components(t, site.Pages["index.html"]))
	for _, path := range []string{"index.html", "api/v2/components.json", "api/v2/summary.json"} {
		for _, gone := range []string{"Project Nightjar", "Paymnets"} {
			assert.NotContains(t, string(site.Files[path]), gone, "%s", path)
		}
	}
	assert.Contains(t, site.Files, "components/project-nightjar.atom", "the feed that held the retracted update stays")
}
