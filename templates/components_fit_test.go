package templates_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// manyComponents is an update of an incident that affects n components,
// named "Region 1 edge" and so on.
func manyComponents(n int) broadcast.Update {
	u := representative(broadcast.StatusInvestigating)
	u.Components = make([]broadcast.Component, n)
	for i := range u.Components {
		u.Components[i] = broadcast.Component{Name: fmt.Sprintf("Region %d edge", i+1), Status: broadcast.ComponentPartialOutage}
	}
	return u
}

var moreLine = regexp.MustCompile(`… and (\d+) more`)

// TestRenderFitKeepsComponentsThatFit: an update with 300 components is
// shortened to a channel's limit with as many of them as fit, in their
// order, and the others counted, in every default template that lists
// components; the text still fits.
func TestRenderFitKeepsComponentsThatFit(t *testing.T) {
	u := manyComponents(300)
	for _, tt := range []struct {
		tmpl  string
		limit int
		m     templates.Measure
		item  string // how the template writes component i
	}{
		{"short", 280, weighted, "Region %d edge (Partial outage)"},
		{"short", 500, templates.Graphemes, "Region %d edge (Partial outage)"},
		{"markdown", 2000, templates.Runes, "- Region %d edge: Partial outage"},
		{"text", 4096, templates.Runes, "- Region %d edge: Partial outage"},
		{"html", 6000, templates.Bytes, "<li>Region %d edge: Partial outage</li>"},
	} {
		t.Run(fmt.Sprintf("%s %d", tt.tmpl, tt.limit), func(t *testing.T) {
			got, err := templates.Default().RenderFit(tt.tmpl, u, tt.limit, tt.m)
			require.NoError(t, err)
			assert.LessOrEqual(t, tt.m(got), tt.limit)
			kept := 0
			for kept < len(u.Components) && strings.Contains(got, fmt.Sprintf(tt.item, kept+1)) {
				kept++
			}
			require.Greater(t, kept, 0, "some components are listed: %q", got)
			assert.NotContains(t, got, fmt.Sprintf(tt.item, kept+1), "the first ones, in order")
			more := moreLine.FindStringSubmatch(got)
			require.NotNil(t, more, "the others are counted: %q", got)
			n, _ := strconv.Atoi(more[1])
			assert.Equal(t, len(u.Components)-kept, n, "every component left out is counted")
			assert.Less(t, strings.Index(got, fmt.Sprintf(tt.item, kept)), strings.Index(got, more[0]), "the count ends the list")
			assert.Contains(t, got, u.URL)
		})
	}
}

// TestRenderFitComponentsExactly shows the shortened list of the short
// template, and that the body, cut first, comes back into the room the
// list leaves.
func TestRenderFitComponentsExactly(t *testing.T) {
	u := manyComponents(10)
	got, err := templates.Default().RenderFit("short", u, 200, templates.Runes)
	require.NoError(t, err)
	assert.Equal(t, "Investigating: Elevated CDN error rates — We… Affected: Region 1 edge (Partial outage), "+
		"Region 2 edge (Partial outage), … and 8 more. Next update by 14:30 UTC. https://status.example.com/incidents/42", got)
	assert.LessOrEqual(t, templates.Runes(got), 200)
	assert.Greater(t, templates.Runes(got)+len(" are"), 200, "no more of the body fits")

	got, err = templates.Default().RenderFit("text", u, 400, templates.Runes)
	require.NoError(t, err)
	assert.Contains(t, got, "Affected components:\n- Region 1 edge: Partial outage\n")
	assert.Regexp(t, `- Region \d+ edge: Partial outage\n… and \d+ more\n\nNext update by`, got)
	assert.LessOrEqual(t, templates.Runes(got), 400)

	got, err = templates.Default().RenderFit("markdown", u, 400, templates.Runes)
	require.NoError(t, err)
	assert.Regexp(t, `- Region \d+ edge: Partial outage\n\n… and \d+ more\n\n_Next update by`, got,
		"a paragraph of its own: a line right after the list would join its last item")
	assert.LessOrEqual(t, templates.Runes(got), 400)
}

// TestRenderFitComponentsEdges: all components fit, no count; one that
// does not fit alone, or a limit too small for any, drops the list as a
// whole, without a count.
func TestRenderFitComponentsEdges(t *testing.T) {
	t.Run("all fit", func(t *testing.T) {
		u := manyComponents(3)
		u.Body = ""
		full, err := templates.Default().Render("short", u)
		require.NoError(t, err)
		got, err := templates.Default().RenderFit("short", u, templates.Runes(full), templates.Runes)
		require.NoError(t, err)
		assert.Equal(t, full, got)
		assert.NotContains(t, got, "more")
	})
	t.Run("the only one does not fit alone", func(t *testing.T) {
		u := manyComponents(1)
		u.Components[0].Name = strings.Repeat("Very long component name ", 8)
		got, err := templates.Default().RenderFit("short", u, 200, templates.Runes)
		require.NoError(t, err)
		assert.NotContains(t, got, "Affected")
		assert.NotContains(t, got, "more")
		assert.Contains(t, got, "We are investigating", "the body comes back in the room of the list")
	})
	t.Run("the first does not fit alone", func(t *testing.T) {
		u := manyComponents(300)
		u.Components[0].Name = strings.Repeat("Very long component name ", 8)
		got, err := templates.Default().RenderFit("short", u, 200, templates.Runes)
		require.NoError(t, err)
		assert.NotContains(t, got, "Affected")
		assert.NotContains(t, got, "more", "the order is kept: none of the later ones instead")
	})
	t.Run("none fits", func(t *testing.T) {
		u := manyComponents(300)
		got, err := templates.Default().RenderFit("short", u, 120, templates.Runes)
		require.NoError(t, err)
		assert.Equal(t, "Investigating: Elevated CDN error rates — We are… Next update by 14:30 UTC. https://status.example.com/incidents/42", got)
	})
}
