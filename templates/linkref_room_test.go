package templates_test

import (
	"fmt"
	"math/rand"
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

// TestRenderFitReferenceTextKeptRandom: on seeded random bodies of words
// (CJK and emoji among them) around a reference link whose definition
// ends the body, and at times a second one after it, RenderFit of the
// text and markdown templates, in runes or weighted as X weighs a post,
// never measures more than the limit, never shows a reference link as
// written without its definition, and keeps the first link's text
// wherever the words before it, the text and an ellipsis fit.
func TestRenderFitReferenceTextKeptRandom(t *testing.T) {
	t.Parallel() // among the package's longest tests; it shares no state
	r := rand.New(rand.NewSource(7))
	words := []string{"the", "status", "of", "payments", "is", "degraded", "in", "eu-west", "東京", "👩‍👩‍👧‍👦"}
	measures := []templates.Measure{templates.Runes, weighted}
	set := templates.Default()
	for n := 0; n < 60; n++ {
		var before, after strings.Builder
		for range r.Intn(12) {
			before.WriteString(words[r.Intn(len(words))] + " ")
		}
		for range 1 + r.Intn(12) {
			after.WriteString(" " + words[r.Intn(len(words))])
		}
		url := "https://x.example/" + strings.Repeat("p", 1+r.Intn(60))
		defs := "\n\n[1]: " + url
		if r.Intn(2) == 0 {
			after.WriteString(" [incident timeline][2]")
			for range r.Intn(6) {
				after.WriteString(" " + words[r.Intn(len(words))])
			}
			defs += "\n[2]: https://x.example/" + strings.Repeat("q", 1+r.Intn(60))
		}
		body := before.String() + "[status page][1]" + after.String() + defs
		u := representative(broadcast.StatusInvestigating)
		u.Components, u.Advice, u.Body = nil, "", body
		m := measures[n%len(measures)]
		for _, name := range []string{"text", "markdown"} {
			v := u
			v.Body = before.String() + "status page" + templates.Ellipsis
			withText, err := set.Render(name, v)
			require.NoError(t, err)
			full, err := set.Render(name, u)
			require.NoError(t, err)
			for limit := m(withText) - 5; limit < m(full); limit += 1 + r.Intn(4) {
				out, err := set.RenderFit(name, u, limit, m)
				where := fmt.Sprintf("RenderFit(%s, %q, %d) = %q", name, body, limit, out)
				require.NoError(t, err, where)
				require.LessOrEqual(t, m(out), limit, where)
				for _, label := range []string{"1", "2"} {
					if !strings.Contains(out, "["+label+"]:") && !strings.Contains(out, "\\["+label+"\\]:") {
						require.NotContains(t, out, "["+label+"]", where)
						require.NotContains(t, out, "\\["+label+"\\]", where)
					}
				}
				if m(withText) <= limit {
					require.Contains(t, out, "status page", where)
				}
			}
		}
	}
}

// TestRenderFitReferenceLinksEachDecidedOnce: of two reference links kept
// without their definitions, the first is written inline wherever its
// inline form fits the room the text before it leaves, whatever the cut
// does with the second. Before, RenderFit judged only the last link kept:
// a cut past the second link, whose inline form did not fit, wrote both
// as their text alone, so the renderings that fit were no prefix of the
// cuts, and which one RenderFit found depended on its guess: the first
// link's URL was dropped for more text at some limits and kept at others
// (markdown, limit 117: "See [status page](…)…", limit 123: "See status
// page and the incident timeline for all of the…").
func TestRenderFitReferenceLinksEachDecidedOnce(t *testing.T) {
	const urlA, urlB = "https://x.example/status/page/a", "https://x.example/incidents/42/timeline/b"
	body := "See [status page][1] and the [incident timeline][2] for all of the details we have so far today\n\n[1]: " +
		urlA + "\n[2]: " + urlB
	u := representative(broadcast.StatusInvestigating)
	u.Components, u.Advice, u.Body = nil, "", body
	set := templates.Default()
	for _, name := range []string{"text", "markdown"} {
		for mname, m := range map[string]templates.Measure{"runes": templates.Runes, "weighted": weighted} {
			measure := func(b string) int {
				v := u
				v.Body = b
				out, err := set.Render(name, v)
				require.NoError(t, err)
				return m(out)
			}
			inlineA := measure("See [status page](" + urlA + ")" + templates.Ellipsis)
			full := measure(body)
			for limit := inlineA; limit < full; limit++ {
				out, err := set.RenderFit(name, u, limit, m)
				require.NoError(t, err)
				assert.Contains(t, out, urlA, "%s, %s, limit %d", name, mname, limit)
			}
		}
	}
}
