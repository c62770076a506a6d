package discord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// An Update.URL that ends in what ends a sentence (".", a ")" it did not
// open), or holds what ends a link in one ("«"), which Validate takes, is
// written as an autolink, <url>, which Discord links whole, wherever the
// content shows it: before, the body's was left bare, which Discord links
// without its final "." or ")", to another page. The card's title links
// to it whole (embed url).
func TestUpdateURLEndingInPunctuationLinksWhole(t *testing.T) {
	for _, raw := range []string{
		"https://status.example.com/incidents/42.",
		"https://status.example.com/wiki/Outage_2026)",
		"https://status.example.com/«42»",
	} {
		t.Run(raw, func(t *testing.T) {
			u := broadcast.Update{IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusInvestigating,
				Body: "See https://example.com/b. Or " + raw + " now.", URL: raw}
			require.NoError(t, u.Validate())
			content, err := render(templates.Default(), "discord", u)
			require.NoError(t, err)
			assert.Equal(t, 2, strings.Count(content, "<"+raw+">"), "the body's and the last line's: %s", content)
			assert.Contains(t, content, "See https://example.com/b. Or <"+raw+"> now.")
			assert.Equal(t, raw, statusEmbed(u, false).URL)
		})
	}
}
