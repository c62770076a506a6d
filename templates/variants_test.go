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

// defaultVariants returns the defaults' per-status variants by base name
// ("short": short.resolved, short.completed), read from the Set so that a
// variant added to the defaults later is covered too.
func defaultVariants(t *testing.T) map[string][]broadcast.Status {
	t.Helper()
	out := map[string][]broadcast.Status{}
	for _, name := range templates.Default().Names() {
		if base, status, ok := strings.Cut(name, "."); ok {
			out[base] = append(out[base], broadcast.Status(status))
		}
	}
	require.NotEmpty(t, out, "the defaults have per-status variants")
	return out
}

// Replacing a base name drops the defaults' variants of it: a user's own
// "short" must also be the text of the resolved update, the one that says
// the outage is over, not the default short.resolved.
func TestReplacingBaseDropsDefaultVariants(t *testing.T) {
	for base, statuses := range defaultVariants(t) {
		const text = "MINE {{.Title}}"
		with, err := templates.Default().With(base, text)
		require.NoError(t, err)
		fromDir, err := templates.New(fstest.MapFS{base + ".tmpl": {Data: []byte(text)}})
		require.NoError(t, err)
		for name, set := range map[string]*templates.Set{"With": with, "New": fromDir} {
			assert.Equal(t, []string{base}, namesOf(set, base), "%s(%q) keeps no default variant", name, base)
			for _, status := range append(statuses, broadcast.StatusInvestigating) {
				got, err := set.Render(base, broadcast.Update{Title: "T", Status: status})
				require.NoError(t, err)
				assert.Equal(t, "MINE T", got, "%s(%q), status %s", name, base, status)
			}
		}
	}
}

// A variant the user supplies stays, whichever comes first; replacing only
// a variant keeps the default base and the other default variants.
func TestReplacingBaseKeepsOwnVariants(t *testing.T) {
	for base, statuses := range defaultVariants(t) {
		own := base + "." + string(statuses[0])
		first, err := templates.Default().With(own, "OWN {{.Title}}")
		require.NoError(t, err)
		first, err = first.With(base, "MINE {{.Title}}")
		require.NoError(t, err)
		last, err := templates.Default().With(base, "MINE {{.Title}}")
		require.NoError(t, err)
		last, err = last.With(own, "OWN {{.Title}}")
		require.NoError(t, err)
		dir, err := templates.New(fstest.MapFS{
			base + ".tmpl": {Data: []byte("MINE {{.Title}}")},
			own + ".tmpl":  {Data: []byte("OWN {{.Title}}")},
		})
		require.NoError(t, err)
		for name, set := range map[string]*templates.Set{"variant first": first, "variant last": last, "New": dir} {
			assert.Equal(t, []string{base, own}, namesOf(set, base), name)
			got, err := set.Render(base, broadcast.Update{Title: "T", Status: statuses[0]})
			require.NoError(t, err)
			assert.Equal(t, "OWN T", got, name)
		}

		onlyVariant, err := templates.Default().With(own, "OWN {{.Title}}")
		require.NoError(t, err)
		assert.Equal(t, namesOf(templates.Default(), base), namesOf(onlyVariant, base),
			"replacing a variant keeps the base and the other variants")
	}
}

// namesOf returns the names of set with base name base.
func namesOf(set *templates.Set, base string) []string {
	var out []string
	for _, n := range set.Names() {
		if n == base || strings.HasPrefix(n, base+".") {
			out = append(out, n)
		}
	}
	return out
}

// A template is checked on a sample update of every status it can render:
// a variant on its own status, a base name on each status (a variant may
// be missing for any of them). A mistake in a branch for the resolved
// update then fails in With and New, not on the update that says the
// outage is over.
func TestConstructionChecksEveryStatus(t *testing.T) {
	const text = `{{.Title}}{{if .Status.Closes}} {{.Nope}}{{end}}`
	for _, name := range []string{"short", "short.resolved", "text", "html.completed"} {
		_, err := templates.Default().With(name, text)
		assert.ErrorContains(t, err, "templates: "+name+": check on a sample update", name)
		assert.ErrorContains(t, err, "can't evaluate field Nope", name)
	}
	_, err := templates.New(fstest.MapFS{"short.completed.tmpl": {Data: []byte(text)}})
	assert.ErrorContains(t, err, "templates: short.completed.tmpl: check on a sample update, status completed: ")
	_, err = templates.Default().With("short", `{{if eq .Status "verifying"}}{{.Nope}}{{end}}`)
	assert.ErrorContains(t, err, "templates: short: check on a sample update, status verifying: ")
	set, err := templates.Default().With("short.investigating", `{{.Title}}{{if eq .Status "resolved"}}{{.Nope}}{{end}}`)
	require.NoError(t, err, "a variant is only rendered for its own status")
	assert.Contains(t, set.Names(), "short.investigating")
}
