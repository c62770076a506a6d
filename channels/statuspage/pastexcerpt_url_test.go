package statuspage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
	"github.com/outagecast/outagecast/templates"
)

// The excerpt of a past incident, cut at 200 characters, keeps the
// Update.URL its line shows whole, as the incident's page links it
// (see TestUpdateURLInBodyLinksWhole): not cut at a character in it that
// ends a link in a sentence ("https://example.com/a」…") and, cut before
// it, moved after the ellipsis whole, with the ")" it ends in. Before,
// the excerpt's cut knew no such URL: it showed "https://example.com/a」…",
// or moved "https://example.com/a" or ".../Outage_2026", other pages.
func TestPastExcerptKeepsUpdateURLWhole(t *testing.T) {
	for _, tc := range []struct{ url, prefix string }{
		{"https://example.com/a」b", "https://example.com/a"},
		{"https://example.com/wiki/Outage_2026)", "https://example.com/wiki/Outage_2026"},
	} {
		for _, before := range []int{175, 185, 195, 230} {
			p := newPage(t, statuspage.Config{})
			u := update("a", "a1", 0, broadcast.StatusResolved)
			u.URL = tc.url
			u.Body = strings.Repeat("The errors are fixed. ", before/22+1)[:before] + " " + tc.url + " then more words after it\nA second line."
			require.NoError(t, u.Validate())
			p.send(u)

			past := statuspage.Find(statuspage.FindID(p.index(), "history"), "li")
			require.Len(t, past, 1)
			line := statuspage.Text(past[0])
			require.Contains(t, line, templates.Ellipsis, "the excerpt is cut")
			assert.True(t, strings.Contains(line, tc.url), "%d before it: %q", before, line)
			assert.Equal(t, strings.Count(line, tc.prefix), strings.Count(line, tc.url), "%d before it: %q", before, line)
		}
	}
}
