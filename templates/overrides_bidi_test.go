package templates_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// An Overrides value a template writes itself closes the embeddings,
// overrides and isolates it leaves open, as the other text fields and
// the override Text sends do: else it reverses the rest of the line.
func TestOverridesBalancedInTemplate(t *testing.T) {
	set, err := templates.Default().With("short", "{{.Overrides.x}}|{{.Update.Overrides.x}}|{{.URL}}")
	require.NoError(t, err)
	for _, open := range []string{"\u202E", "\u2067", "\u202B\u2068"} {
		u := representative(broadcast.StatusInvestigating)
		u.Overrides = map[string]string{"x": open + "CDN down", "y": "plain"}
		got, err := set.Render("short", u)
		require.NoError(t, err)
		parts := strings.Split(got, "|")
		require.Len(t, parts, 3, "%q", got)
		assert.Zero(t, openBidi(parts[0]), "left open by .Overrides.x in %q", got)
		assert.Zero(t, openBidi(parts[1]), "left open by .Update.Overrides.x in %q", got)

		// The same value sent as the channel's override reads alike.
		text, err := set.Text("x", "short", u, 0, nil)
		require.NoError(t, err)
		assert.Equal(t, text, parts[0])
		assert.Equal(t, open+"CDN down", u.Overrides["x"], "the caller's map is not modified")
	}
}
