package templates_test

import (
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A template that doubles a variable forty times writes nothing, so the
// cap on its output never stops it: the functions it calls refuse a
// result longer than MaxOutputSize, and the Set is refused when it is
// made, naming the template, instead of the process running out of
// memory. Likewise for html/template.
func TestTemplateGrowingAVariableIsRefused(t *testing.T) {
	const doubling = `{{$x := .Title}}{{range 40}}{{$x = printf "%s%s" $x $x}}{{end}}`
	for _, name := range []string{"text", "short", "html"} {
		_, err := templates.Default().With(name, doubling)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "templates: "+name+": ", name)
		assert.Contains(t, err.Error(), "MaxOutputSize", name)
	}
	_, err := templates.New(fstest.MapFS{"html.tmpl": {Data: []byte(doubling)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "templates: html.tmpl: ")
	assert.Contains(t, err.Error(), "MaxOutputSize")
}

// Every function that can return more than it is given refuses a result
// longer than MaxOutputSize: the builtins that join or escape, the
// markdown escaping, autolink, indent. Each is given a value of a few
// MiB (doubled with print, which stays below the limit) that it would
// grow past it. Each value is a unit doubled 18 times (256 Ki copies),
// a unit long enough that the result passes MaxOutputSize (16 MiB) by a
// little, not many times: the time the test takes under the race
// detector is that of the bytes each function reads. The unit of
// autolink is one character reference in 62 bytes, which the search for
// "&" skips to, where 2 Mi references in 10 MiB took half a minute.
func TestEveryGrowingFunctionIsBounded(t *testing.T) {
	t.Parallel() // among the package's longest tests; it shares no state
	grown := func(unit string, copies int, call string) string {
		return `{{$x := "` + strings.Repeat(unit, copies) + `"}}{{range 18}}{{$x = print $x $x}}{{end}}{{$y := ` + call + `}}`
	}
	// Each comment gives the value's size and what the call makes of it.
	for _, tt := range []struct{ name, tmpl string }{
		{"print", grown("x", 20, "print $x $x $x $x")},                          // 4 × 5 MiB
		{"println", grown("x", 20, "println $x $x $x $x")},                      // 4 × 5 MiB
		{"printf", grown("x", 20, `printf "%s%s%s%s" $x $x $x $x`)},             // 4 × 5 MiB
		{"html", grown("&", 13, "html $x")},                                     // 3.25 MiB × 5 ("&amp;")
		{"js", grown("<", 11, "js $x")},                                         // 2.75 MiB × 6 (`\u003C`)
		{"urlquery", grown("%", 22, "urlquery $x")},                             // 5.5 MiB × 3 ("%25")
		{"md", grown(`\\`, 33, "md $x")},                                        // 8.25 MiB × 2 (each backslash escaped)
		{"mdurl", grown(`\\`, 33, `mdurl $x "https://status.example.com/42."`)}, // as md
		{"autolink", grown("&lt;"+strings.Repeat("x", 58), 1, "autolink $x")},   // 15.5 MiB + 1 MiB ("&amp;lt;")
		{"indent", grown(`\n\t`, 8, "indent $x")},                               // 4 MiB × 4.5 ("\n" and four no-break spaces)
	} {
		for _, base := range []string{"text", "html"} {
			_, err := templates.Default().With(base, tt.tmpl)
			require.Error(t, err, "%s in %s", tt.name, base)
			assert.Contains(t, err.Error(), "error calling "+tt.name+": ", "%s in %s", tt.name, base)
			assert.Contains(t, err.Error(), "MaxOutputSize", "%s in %s", tt.name, base)
		}
	}
}

// A template that grows a variable from the body passes the check on the
// short sample body and fails at Render on a long one, text and html
// alike, with no text.
func TestRenderStopsAGrowingVariable(t *testing.T) {
	const doubling = `{{$x := .Body}}{{range 10}}{{$x = printf "%s%s" $x $x}}{{end}}{{len $x}}`
	u := broadcast.Update{Title: "T", Status: broadcast.StatusInvestigating, Body: strings.Repeat("x", 20_000)}
	for _, name := range []string{"text", "html"} {
		set, err := templates.Default().With(name, doubling)
		require.NoError(t, err, "%s: the sample's body is short", name)
		out, err := set.Render(name, u)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "templates: render "+name+": ", name)
		assert.Contains(t, err.Error(), "MaxOutputSize", name)
		assert.Empty(t, out, name)
	}
}

// A single call can ask for more than its arguments: print of a long
// value given many times, printf of a wide number, or of one argument
// formatted many times. It is refused before anything is formatted, not
// after what it asked for was (here 200 MB, as well gigabytes).
func TestOneCallCannotAskForGigabytes(t *testing.T) {
	// 1 MiB, built in twenty doublings.
	const mib = `{{$x := "x"}}{{range 20}}{{$x = print $x $x}}{{end}}`
	for _, tt := range []struct{ name, tmpl, err string }{
		{"print", mib + `{{$y := print` + strings.Repeat(" $x", 200) + `}}`, "MaxOutputSize"},
		{"html", mib + `{{$y := html` + strings.Repeat(" $x", 200) + `}}`, "MaxOutputSize"},
		{"printf width", `{{$y := printf "` + strings.Repeat("%999999[1]d", 200) + `" 1}}`, "width or precision of more than 999"},
		{"printf argument", mib + `{{$y := printf "` + strings.Repeat("%[1]s", 200) + `" $x}}`, "MaxOutputSize"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := templates.Default().With("text", tt.tmpl)
		runtime.ReadMemStats(&after)
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.err, tt.name)
		// The 1 MiB variable takes 2 MiB to build; the call would take 200 MB.
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), tt.name)
	}
}
