package config_test

import (
	"testing"

	"github.com/outagecast/outagecast/config"
)

// A templates file that no channel renders (a typo, "shrot.tmpl") is named
// with the faults of a channel entry refused, in one error: before, it was
// named only once no entry was refused, so that the user fixed the entry,
// loaded again, and only then learnt of the file. A file whose name a
// refused entry may write as its template (in its template key, its URL's
// template parameter, or a variable's value) is not named, as that entry
// cannot be read to tell: once it is fixed, the file is checked.
func TestTemplateFileTypoNamedWithRefusedChannel(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tmpl/shrot.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/mine.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/urls.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/env.tmpl", "{{.Title}}")
	_, err := parseIn(dir, lines(
		"templates: tmpl",
		"channels:",
		"  - kind: console",
		"    output: stdot",
		"    template: mine",
		"  - console://?template=urls&nope=1",
		"  - kind: console",
		"    name: e",
		"    template: ${T}",
		"    output: stdot",
	), config.Loader{LookupEnv: env(map[string]string{"T": "env"})})
	assertFaults(t, err,
		`test.yaml:1: templates: shrot.tmpl: no channel renders a template "shrot" (did you mean "short"?`,
		`test.yaml:4: channels[0] (console "console"): output: unknown value "stdot"`,
		`test.yaml:6: channels[1]`,
		`test.yaml:10: channels[2] (console "e"): output: unknown value "stdot"`,
	)
}
