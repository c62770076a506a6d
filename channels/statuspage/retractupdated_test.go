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

// A retraction changes the incident (its status goes back to the latest
// update left) and the components it named (their status too): tools
// that poll the JSON for what changed since their last look compare
// updated_at, and the incident page says when it last changed. Neither
// goes back to the time of the update left.
func TestRetractionMovesUpdatedAt(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
	r := p.send(update("a", "a2", 10, broadcast.StatusMonitoring, comp("API", broadcast.ComponentMajorOutage)))
	p.now = t0.Add(5 * time.Minute)
	require.NoError(t, p.ch.Retract(context.Background(), r))
	retracted := p.now

	site := p.site()
	at := func(v any) time.Time {
		t.Helper()
		tm, err := time.Parse(time.RFC3339, v.(string))
		require.NoError(t, err)
		return tm
	}
	inc := site.JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any)[0].(map[string]any)
	assert.Equal(t, "investigating", inc["status"])
	assert.False(t, at(inc["updated_at"]).Before(retracted), "the incident's updated_at %v", inc["updated_at"])
	comps := site.JSON["api/v2/components.json"].(map[string]any)["components"].([]any)
	require.Len(t, comps, 1)
	api := comps[0].(map[string]any)
	assert.Equal(t, "degraded_performance", api["status"])
	assert.False(t, at(api["updated_at"]).Before(retracted), "the component's updated_at %v", api["updated_at"])

	var last time.Time
	for _, tm := range statuspage.Find(statuspage.FindClass(site.Pages["incidents/a.html"], "site")[1], "time") {
		last = at(statuspage.Attr(tm, "datetime"))
	}
	assert.False(t, last.Before(retracted), "the incident page's Last updated %v", last)
}
