package config_test

import (
	"testing"

	"github.com/outagecast/outagecast/config"
)

// A templates file that no channel renders is named with the faults of a
// refused channel entry even when its name is a word of that entry's
// other values (its name "status", a host "status.example.com"): only
// where an entry can name a template (its template key, or one written
// close to it, and a URL's template parameter) does the entry keep the
// file from being named. Before, the file was named only once the entry
// was fixed, a second Load later.
func TestTemplateFileNamedBesideRefusedEntryWords(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tmpl/status.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/mine.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/urls.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/typo.tmpl", "{{.Title}}")
	_, err := parseIn(dir, lines(
		"templates: tmpl",
		"channels:",
		"  - kind: console",
		"    name: status",
		"    output: stdot",
		"    template: mine",
		"  - console://?template=urls&nope=1",
		"  - kind: console",
		"    name: t",
		"    templat: typo",
	), config.Loader{})
	assertFaults(t, err,
		`test.yaml:1: templates: status.tmpl: no channel renders a template "status"`,
		`test.yaml:5: channels[0] (console "status"): output: unknown value "stdot"`,
		`test.yaml:7: channels[1]`,
		`test.yaml:10: channels[2]: unknown key "templat"`,
	)
}
