package templates

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	"testing"
	texttemplate "text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The bounded print, printf, println, html, js and urlquery write what
// text/template's own do, byte for byte, for the calls a template makes,
// odd formats and arguments included.
func TestBuiltinsWriteWhatTextTemplatesDo(t *testing.T) {
	var nilPtr *int
	n := 7
	args := [][]any{
		{}, {"a"}, {"a", "b"}, {1, 2}, {"a", 1, 2, "b"}, {3.5, true, nil},
		{broadcast.StatusResolved, []string{"x", "y"}, map[string]string{"k": "v"}},
		{time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}, {&n, nilPtr}, {`<a href="x?y=1&z">'é'</a>`},
	}
	for _, a := range args {
		assert.Equal(t, fmt.Sprint(a...), boundedArgs(fmt.Sprint)(a...), "print %#v", a)
		assert.Equal(t, fmt.Sprintln(a...), boundedArgs(fmt.Sprintln)(a...), "println %#v", a)
		assert.Equal(t, texttemplate.HTMLEscaper(a...), boundedArgs(texttemplate.HTMLEscaper)(a...), "html %#v", a)
		assert.Equal(t, texttemplate.JSEscaper(a...), boundedArgs(texttemplate.JSEscaper)(a...), "js %#v", a)
		assert.Equal(t, texttemplate.URLQueryEscaper(a...), boundedArgs(texttemplate.URLQueryEscaper)(a...), "urlquery %#v", a)
	}
	for _, tt := range []struct {
		format string
		args   []any
	}{
		{"%s — %s", []any{"a", "b"}}, {"%d more", []any{259}}, {"%5.2f|%-4d|%q|%x|%X", []any{3.14159, 7, `a"b`, "hi", []byte("z")}},
		{"%[2]s %[1]s %s", []any{"a", "b"}},
		{"%d %d", []any{1}}, {"%d", []any{1, 2}}, {"%[5]d %[0]d %[x]d %[2]5d %[1].2f", []any{1.5, 2}}, {"100%% %v %", []any{"x"}},
		{"%#v %+v %T %p", []any{broadcast.Component{Name: "API"}, struct{ A int }{1}, 1, &n}}, {"%!", nil}, {"%999d|%.999f", []any{1, 2.5}},
		{"%[1234]d", []any{1}},
	} {
		assert.Equal(t, fmt.Sprintf(tt.format, tt.args...), boundedPrintf(tt.format, tt.args...), "printf %q", tt.format)
	}
	// Wider than maxWidth, or from an argument: refused, not formatted.
	for _, format := range []string{"%1000d", "%.1000f", "%[1]9999999999d", "%*d", "%-*.*f", "%.[2]*f", "%[3]*.[2]*[1]f"} {
		assert.PanicsWithValue(t, errWidth, func() { boundedPrintf(format, 5, 3, 1.5) }, "printf %q", format)
	}
}

// html/template takes "html" and "urlquery" at the end of an action for
// its own escapers (predefined escapers): replaced by the bounded ones,
// which write the same, the html template escapes as before, in text, in
// attributes, in URLs and in scripts.
func TestHTMLTemplateEscapesAsBefore(t *testing.T) {
	const text = `<p title="{{.Title | html}}">{{html .Title}} {{.Title | urlquery}} {{print .Title 1}} {{printf "%s!" .Title}}</p>` +
		`<a href="https://example.com/?q={{urlquery .Title}}&r={{.Title}}">{{js .Title}}</a><script>var t = {{.Title}}, u = "{{js .Title}}";</script>`
	u := broadcast.Update{Title: `<b>"Tom & Jerry's" 5%</b> é`}
	ours, err := htmltemplate.New("html").Funcs(funcs()).Parse(text)
	require.NoError(t, err)
	theirs, err := htmltemplate.New("html").Funcs(htmltemplate.FuncMap{}).Parse(text)
	require.NoError(t, err)
	var got, want strings.Builder
	require.NoError(t, ours.Execute(&got, u))
	require.NoError(t, theirs.Execute(&want, u))
	assert.Equal(t, want.String(), got.String())
}
