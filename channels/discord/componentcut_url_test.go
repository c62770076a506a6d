package discord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A component's name on the status card, cut to its line's 200
// characters, keeps the Update.URL it shows whole, as the card's other
// cuts keep it (fitEmbed): not cut at a character in it that ends a link
// in a sentence ("https://status.example.com/a」…") and, cut before it,
// moved after the ellipsis whole, with the ")" it ends in. Before, the
// component lines were cut knowing no such URL: "https://status.example.com/a」…"
// or ".../Outage_2026", other pages.
func TestComponentLineCutKeepsUpdateURLWhole(t *testing.T) {
	for _, tc := range []struct{ url, prefix string }{
		{"https://status.example.com/a」b", "https://status.example.com/a"},
		{"https://status.example.com/wiki/Outage_2026)", "https://status.example.com/wiki/Outage_2026"},
	} {
		for _, before := range []int{150, 165, 180, 188} {
			u := fullUpdate
			u.URL = tc.url
			filler := strings.Repeat("Storage cluster ", before/16+1)[:before]
			u.Components = []broadcast.Component{{Name: filler + " " + tc.url + " then some more words", Status: broadcast.ComponentMajorOutage}}
			require.NoError(t, u.Validate())
			card := statusEmbed(u, false)
			i := fieldIndex(card, "Affected components")
			require.GreaterOrEqual(t, i, 0)
			line := card.Fields[i].Value
			require.Contains(t, line, templates.Ellipsis, "the name is cut")
			tail := line[max(0, len(line)-80):]
			assert.True(t, strings.Contains(line, tc.url), "%d runes before it: %q", before, tail)
			assert.Equal(t, strings.Count(line, tc.prefix), strings.Count(line, tc.url), "%d runes before it: %q", before, tail)
		}
	}
}
