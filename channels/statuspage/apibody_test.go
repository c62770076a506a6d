package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The JSON API's update body says what the page says: the advice to
// customers, and that a correction is one, as the Statuspage channel
// writes them into a hosted page's body. A tool reading the API
// otherwise lost the advice, and showed a correction as an update that
// contradicts the one before with nothing to tell which holds.
func TestAPIBodyHasAdviceAndCorrection(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	u.Advice = "Retry failed uploads."
	p.send(u)
	fix := update("a", "a2", 5, broadcast.StatusInvestigating)
	fix.Body, fix.Corrects = "EU only.", "a1"
	p.send(fix)

	incidents := p.site().JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any)
	require.Len(t, incidents, 1)
	updates := incidents[0].(map[string]any)["incident_updates"].([]any)
	require.Len(t, updates, 2)
	assert.Equal(t, "Correction:\nEU only.", updates[0].(map[string]any)["body"])
	assert.Equal(t, "What you can do: Retry failed uploads.\n\nUpdate a1 of a.", updates[1].(map[string]any)["body"])
}

// The JSON API's update body has the update's link, as the page shows it
// ("More: …") and the feed's entry has it: a tool reading the API lost
// it. A link to the incident's own page is the incident's shortlink
// already and is not repeated.
func TestAPIBodyHasTheUpdatesLink(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating)
	u.URL = "https://example.com/notice"
	p.send(u)
	own := update("a", "a2", 5, broadcast.StatusIdentified)
	own.URL = p.ch.IncidentURL(own)
	p.send(own)

	incidents := p.site().JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any)
	require.Len(t, incidents, 1)
	updates := incidents[0].(map[string]any)["incident_updates"].([]any)
	require.Len(t, updates, 2)
	assert.Equal(t, "Update a2 of a.", updates[0].(map[string]any)["body"])
	assert.Equal(t, "Update a1 of a.\n\nMore: https://example.com/notice", updates[1].(map[string]any)["body"])
}
