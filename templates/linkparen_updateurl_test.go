package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// parenURL is an Update.URL that ends in a ")" it did not open, which
// Validate takes: without it, it is another page.
const parenURL = "https://status.example.com/wiki/Outage_2026)"

// TestTextMovesUpdateURLWithItsParen: an override that shows the
// Update.URL, cut before it, moves it after the ellipsis whole, its
// final ")" too, as the channels that know the URL link it (see
// LinkSpansWhole): before, the ")" was taken for one that closes the
// text's brackets and left behind ("So… https://status.example.com/wiki/Outage_2026").
// Written in brackets of the text's own, "(see …))", it moves whole and
// leaves only the text's ")" behind.
func TestTextMovesUpdateURLWithItsParen(t *testing.T) {
	u := representative(broadcast.StatusInvestigating)
	u.URL = parenURL
	require.NoError(t, u.Validate())
	prefix := strings.TrimSuffix(parenURL, ")")
	for _, o := range []string{
		"Some words and more words after it, then " + parenURL + " and more words.",
		"Some words and more words after it (see " + parenURL + ") and more words.",
		"Some words and more words after it (see " + parenURL + ")). And more words.",
	} {
		u.Overrides = map[string]string{"x": o}
		moved := 0
		for limit := templates.Runes(o) - 1; limit > templates.Runes(templates.Ellipsis+" "+parenURL); limit-- {
			got, err := templates.Default().Text("x", "short", u, limit, templates.Runes)
			require.NoError(t, err)
			assert.Equal(t, strings.Count(got, prefix), strings.Count(got, parenURL), "limit %d: %q", limit, got)
			assert.Contains(t, got, parenURL, "limit %d", limit)
			if strings.HasSuffix(got, templates.Ellipsis+" "+parenURL) {
				moved++
			}
		}
		assert.Positive(t, moved, "some cuts move the URL: %q", o)
	}
}
