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

// Edit replaces the update with m's also when m's update keeps the ID of
// the update it corrects (a copy of it with the text fixed, as a caller
// of Edit with IDs of its own writes it): the page, the feed and the JSON
// show the corrected text, marked edited. Before, the ID on the page
// already was taken for a correction edited in before: Edit reported
// success and the wrong text stayed. Sent again (a retry), it changes
// nothing more.
func TestEditKeepingTheUpdateID(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	orig := update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage))
	sent := p.send(orig)
	p.now = t0.Add(3 * time.Minute)
	fix := orig
	fix.Body, fix.Components = "Errors in the EU only.", []broadcast.Component{comp("API", broadcast.ComponentDegraded)}
	r, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), sent)
	require.NoError(t, err)
	assert.Equal(t, "a1", r.ID)

	s := p.site()
	assert.Contains(t, s.Updates()["a1"], "Errors in the EU only.", "the page")
	assert.NotContains(t, s.Updates()["a1"], "Update a1 of a.", "the page")
	assert.Contains(t, s.Updates()["a1"], "Edited 14 Mar 2025 12:03 UTC.", "the page")
	assert.Equal(t, "Degraded performance", components(t, s.Pages["index.html"])["API"])
	f := s.Feeds["history.atom"]
	require.Len(t, f.Items, 1)
	assert.Contains(t, f.Items[0].Content, "Errors in the EU only.", "the feed")
	assert.Equal(t, p.now, f.Items[0].UpdatedParsed.UTC(), "the entry's updated")
	inc := s.JSON["api/v2/incidents.json"].(map[string]any)["incidents"].([]any)[0].(map[string]any)
	assert.Equal(t, "Errors in the EU only.", inc["incident_updates"].([]any)[0].(map[string]any)["body"], "the JSON")

	// Sent again, the edit changes nothing.
	p.now = t0.Add(9 * time.Minute)
	_, err = p.ch.Edit(context.Background(), broadcast.NewMessage(fix), sent)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(3*time.Minute), p.site().Feeds["history.atom"].Items[0].UpdatedParsed.UTC())
}
