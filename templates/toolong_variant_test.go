package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// The error of a text that does not fit names the template rendered, the
// status's variant when there is one, not the base name asked for.
func TestRenderFitTooLongNamesVariant(t *testing.T) {
	u := representative(broadcast.StatusResolved)
	for _, tt := range []struct {
		name string
		set  func(t *testing.T) *templates.Set
		want string
	}{
		{"default variant", func(*testing.T) *templates.Set { return templates.Default() }, "short.resolved"},
		{"user variant", func(t *testing.T) *templates.Set {
			s, err := templates.Default().With("short.resolved", "Over: {{.Title}} {{.URL}}")
			require.NoError(t, err)
			return s
		}, "short.resolved"},
		{"no variant", func(t *testing.T) *templates.Set {
			s, err := templates.Default().With("short", "{{.Title}} {{.URL}}")
			require.NoError(t, err)
			return s
		}, "short"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.set(t).RenderFit("short", u, 10, nil)
			require.ErrorIs(t, err, templates.ErrTooLong)
			assert.Contains(t, err.Error(), ": "+tt.want+": the shortest form", "%v", err)

			_, err = tt.set(t).Text("x", "short", u, 10, nil)
			require.ErrorIs(t, err, templates.ErrTooLong)
			assert.Contains(t, err.Error(), ": "+tt.want+": the shortest form", "%v", err)
		})
	}
}
