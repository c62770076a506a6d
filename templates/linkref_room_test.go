package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// TestRenderFitReferenceTextWhereItsURLDoesNot: a reference link kept by
// a cut that leaves its definition out, whose inline form does not fit
// the room left after the text before it, though its URL fits the limit,
// is written as its text alone when that fits. Before, RenderFit wrote
// the text alone only for a URL longer than the whole limit, so the cut
// fell before the link and its text was lost: "See…" where "See status
// page…" fit.
func TestRenderFitReferenceTextWhereItsURLDoesNot(t *testing.T) {
	const url = "https://x.example/incidents/42/timeline"
	body := "See [status page][1] and more words after it to cut here\n\n[1]: " + url
	u := representative(broadcast.StatusInvestigating)
	u.Components, u.Advice, u.Body = nil, "", body
	set := templates.Default()
	measure := func(b string) int {
		v := u
		v.Body = b
		out, err := set.Render("markdown", v)
		require.NoError(t, err)
		return templates.Runes(out)
	}
	textAlone := measure("See status page" + templates.Ellipsis)
	inline := measure("See [status page](" + url + ")" + templates.Ellipsis)
	require.Less(t, textAlone, inline)
	require.Less(t, templates.Runes(url), textAlone, "the URL fits the limit")
	for limit := textAlone; limit < inline; limit++ {
		out, err := set.RenderFit("markdown", u, limit, templates.Runes)
		require.NoError(t, err, "limit %d", limit)
		assert.LessOrEqual(t, templates.Runes(out), limit)
		assert.True(t, strings.Contains(out, "See status page ") || strings.Contains(out, "See status page"+templates.Ellipsis), "limit %d: %q", limit, out)
	}
	// Where the inline form fits, it is kept, its URL too.
	out, err := set.RenderFit("markdown", u, inline, templates.Runes)
	require.NoError(t, err)
	assert.Contains(t, out, "status page\\](<"+url+">)")
}
