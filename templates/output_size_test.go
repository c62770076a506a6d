package templates_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A template whose output on the sample update is already larger than
// MaxOutputSize is refused when the Set is made, naming it, instead of
// being accepted and filling memory on every send.
func TestTemplateThatRendersTooMuchIsRefused(t *testing.T) {
	text := `{{range 400000}}{{$.Title}} and sixty bytes of text in every turn of the loop.{{end}}`
	_, err := templates.Default().With("text", text)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "templates: text: ")
	assert.Contains(t, err.Error(), "MaxOutputSize")

	_, err = templates.New(fstest.MapFS{"markdown.tmpl": {Data: []byte(text)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "templates: markdown.tmpl: ")
	assert.Contains(t, err.Error(), "MaxOutputSize")
}

// A template that passes the check on the small sample update but would
// write gigabytes for a long body stops at MaxOutputSize with an error,
// in Render and in RenderFit alike.
func TestRenderStopsAtMaxOutputSize(t *testing.T) {
	set, err := templates.Default().With("text", `{{range 1000}}{{$.Body}}{{end}}`)
	require.NoError(t, err, "the sample's body is short")
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: strings.Repeat("x", 20_000)}

	out, err := set.Render("text", u)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MaxOutputSize")
	assert.Empty(t, out)

	for _, limit := range []int{0, 1 << 30} {
		out, err = set.RenderFit("text", u, limit, templates.Bytes)
		require.Error(t, err, "limit %d", limit)
		assert.Contains(t, err.Error(), "MaxOutputSize", "limit %d", limit)
		assert.LessOrEqual(t, len(out), templates.MaxOutputSize, "limit %d", limit)
	}
}
