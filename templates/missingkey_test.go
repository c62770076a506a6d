package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A key an update's Overrides lacks is empty text, as {{index .Overrides
// "x"}} gives, not text/template's "<no value>" (its missingkey=default,
// see https://pkg.go.dev/text/template#Template.Option) posted to
// customers; nor is it an error, which would fail the channel for an
// update that merely has no override for it.
func TestMissingOverrideKeyIsEmpty(t *testing.T) {
	for _, name := range []string{"short", "text", "html", "markdown", "mine"} {
		set, err := templates.Default().With(name, "A{{.Overrides.irc}}B{{with .Overrides.irc}}C{{end}}")
		require.NoError(t, err, name)
		for _, u := range []broadcast.Update{
			{Title: "T", Status: broadcast.StatusResolved},
			{Title: "T", Status: broadcast.StatusResolved, Overrides: map[string]string{"x": "y"}},
		} {
			got, err := set.Render(name, u)
			require.NoError(t, err, name)
			assert.Equal(t, "AB", got, name)
			got, err = set.RenderFit(name, u, 280, nil)
			require.NoError(t, err, name)
			assert.Equal(t, "AB", got, name)
		}
	}
}
