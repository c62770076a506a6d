package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// An update's link (Update.URL: a postmortem, a provider's notice) is in
// its feed entry, as the page shows it under the update ("More: …"):
// before, a feed reader got "details in the postmortem" with no way to
// it. A link to the incident's own page, which every channel is given,
// is the entry's link already and is not repeated, as on the page.
func TestAtomEntryShowsTheUpdatesLink(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusResolved)
	u.URL = "https://example.com/postmortem?id=1&lang=en"
	p.send(u)
	own := update("b", "b1", 10, broadcast.StatusInvestigating)
	own.URL = p.ch.IncidentURL(own)
	p.send(own)

	f := p.site().Feeds["history.atom"]
	require.Len(t, f.Items, 2)
	assert.Contains(t, f.Items[1].Content,
		`<p>More: <a href="https://example.com/postmortem?id=1&amp;lang=en">https://example.com/postmortem?id=1&amp;lang=en</a></p>`,
		"the update's link")
	assert.NotContains(t, f.Items[0].Content, "More:", "a link to the incident's own page")
}

// Preview shows the update's link as the page does, "More: …", unless it
// is the incident's page, which ends the preview anyway.
func TestPreviewShowsTheUpdatesLink(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusResolved)
	u.URL = "https://example.com/postmortem"
	pv, err := p.ch.Preview(u)
	require.NoError(t, err)
	assert.Contains(t, pv.Text, "More: https://example.com/postmortem\n")

	u.URL = p.ch.IncidentURL(u)
	pv, err = p.ch.Preview(u)
	require.NoError(t, err)
	assert.NotContains(t, pv.Text, "More:")
}
