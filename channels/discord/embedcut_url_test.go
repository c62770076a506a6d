package discord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/templates"
)

// The status card's advice, cut to an embed field's limit, keeps the
// Update.URL it shows whole, as the message's text keeps it
// (templates.Text): not cut at a character in it that ends a link in a
// sentence ("https://status.example.com/a」…") and, cut before it, moved
// after the ellipsis whole, with the ")" it ends in. Before, the card's
// fit knew no such URL: it showed "https://status.example.com/a」…", or
// moved "https://status.example.com/a" or ".../Outage_2026", other
// pages (the card's title links to the whole URL).
func TestCardCutKeepsUpdateURLWhole(t *testing.T) {
	for _, tc := range []struct{ url, prefix string }{
		{"https://status.example.com/a」b", "https://status.example.com/a"},
		{"https://status.example.com/wiki/Outage_2026)", "https://status.example.com/wiki/Outage_2026"},
	} {
		for _, before := range []int{MaxFieldValue - 40, MaxFieldValue - 20, MaxFieldValue - 10, MaxFieldValue + 40} {
			u := fullUpdate
			u.URL = tc.url
			require.NoError(t, u.Validate())
			filler := strings.Repeat("Retry the upload later. ", before/24+1)[:before]
			u.Advice = filler + " " + tc.url + " then wait a little longer before you retry again"
			card := statusEmbed(u, false)
			i := fieldIndex(card, templates.AdviceLabel)
			require.GreaterOrEqual(t, i, 0)
			advice := card.Fields[i].Value
			require.LessOrEqual(t, runes(advice), MaxFieldValue)
			require.Contains(t, advice, templates.Ellipsis, "the advice is cut")
			tail := advice[max(0, len(advice)-80):]
			assert.True(t, strings.Contains(advice, tc.url), "%d runes before it: %q", before, tail)
			assert.Equal(t, strings.Count(advice, tc.prefix), strings.Count(advice, tc.url), "%d runes before it: %q", before, tail)
		}
	}
}
