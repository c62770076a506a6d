package templates

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package doc names the functions of the package that refuse a
// result longer than MaxOutputSize, "These are the package's functions
// (…)": each function of funcs that returns a string, and is not one of
// text/template's it replaces, is named there (mdurl was left out).
func TestDocNamesEveryBoundedFunction(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	text := strings.ReplaceAll(string(doc), "\n// ", " ")
	m := regexp.MustCompile(`These are the package's functions \(([^)]*)\)`).FindStringSubmatch(text)
	require.NotNil(t, m, "the package doc lists the package's bounded functions")
	named := strings.Split(m[1], ", ")
	builtin := builtins()
	for name, f := range funcs() {
		if _, ok := builtin[name]; ok {
			continue
		}
		if ft := reflect.TypeOf(f); ft.NumOut() == 1 && ft.Out(0).Kind() == reflect.String {
			assert.True(t, slices.Contains(named, name), "the package doc names %s among the functions that refuse a result longer than MaxOutputSize: %q", name, m[1])
		}
	}
}
