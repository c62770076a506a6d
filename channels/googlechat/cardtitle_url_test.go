package googlechat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// The card's title, cut to maxCardTitle, keeps the Update.URL it shows
// whole, as the message's text keeps it (templates.Text): not cut at a
// character in it that ends a link in a sentence
// ("https://status.example.com/a」…") and, cut before it, moved after the
// ellipsis whole, with the ")" it ends in. Before, the title's cut knew
// no such URL: it showed "https://status.example.com/a」…", or moved
// "https://status.example.com/a" or ".../Outage_2026", other pages than
// the one the card's button opens.
func TestCardTitleCutKeepsUpdateURLWhole(t *testing.T) {
	for _, tc := range []struct{ url, prefix string }{
		{"https://status.example.com/a」b", "https://status.example.com/a"},
		{"https://status.example.com/wiki/Outage_2026)", "https://status.example.com/wiki/Outage_2026"},
	} {
		for _, before := range []int{maxCardTitle - 30, maxCardTitle - 20, maxCardTitle - 10, maxCardTitle - 5} {
			u := broadcast.Update{IncidentID: "cdn", Status: broadcast.StatusInvestigating, URL: tc.url,
				Title: strings.Repeat("CDN errors in the EU. ", before/22+1)[:before] + " " + tc.url + " now."}
			require.NoError(t, u.Validate())
			title := statusCard(u).Card.Header.Title
			require.LessOrEqual(t, UTF16(title), maxCardTitle)
			require.Contains(t, title, templates.Ellipsis, "the title is cut")
			assert.True(t, strings.Contains(title, tc.url), "%d units before it: %q", before, title)
			assert.Equal(t, strings.Count(title, tc.prefix), strings.Count(title, tc.url), "%d units before it: %q", before, title)
		}
	}
}
