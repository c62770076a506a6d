package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// Every fault of the templates directory is named at once, each on a line
// of its own: every file that does not parse, and every file that no
// channel renders ("shrot.tmpl"), with the faults of the channels.
// Before, Load named the first file that did not parse, in name
// order, and nothing more of the directory: three runs for three mistakes.
func TestTemplateDirFaultsAllNamed(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tmpl/markdown.tmpl", "{{.Titel}}")
	writeFile(t, dir, "tmpl/short.tmpl", "{{.Title}")
	writeFile(t, dir, "tmpl/shrot.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/text.tmpl", "{{.Title}}")
	_, err := parseIn(dir, "templates: tmpl\nchannels:\n  - kind: console\n", config.Loader{LookupEnv: env(nil)})
	require.Error(t, err)
	got := strings.Split(err.Error(), "\n")
	require.Len(t, got, 3, "%v", err)
	assert.Contains(t, got[0], "test.yaml:1: templates: markdown.tmpl: ")
	assert.Contains(t, got[1], "test.yaml:1: templates: short.tmpl: parse: ")
	assert.Contains(t, got[2], "test.yaml:1: templates: shrot.tmpl: no channel renders a template \"shrot\" (did you mean \"short\"?")
	assert.NotContains(t, err.Error(), "text.tmpl")

	_, err = parseIn(dir, "templates: tmpl\nchannels:\n  - kind: console\n    output: stdot\n", config.Loader{LookupEnv: env(nil)})
	require.Error(t, err)
	got = strings.Split(err.Error(), "\n")
	require.Len(t, got, 4, "%v", err)
	assert.Contains(t, got[0], "test.yaml:1: templates: markdown.tmpl: ")
	assert.Contains(t, got[1], "test.yaml:1: templates: short.tmpl: parse: ")
	assert.Contains(t, got[2], "test.yaml:1: templates: shrot.tmpl: no channel renders a template \"shrot\"")
	assert.Contains(t, got[3], `test.yaml:4: channels[0] (console "console"): output: unknown value "stdot"`)
}

// A templates file whose name holds a line break is named quoted, so
// that each fault stays on a line of its own that starts with the
// configuration file's name and line; before, the name split its faults
// (the one of New and the one of the name check) in two lines each.
func TestTemplateDirOddFileNameOnItsLine(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tmpl/bad\nname.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/short.tmpl", "{{.Title}")
	_, err := parseIn(dir, "templates: tmpl\nchannels:\n  - kind: console\n", config.Loader{LookupEnv: env(nil)})
	require.Error(t, err)
	prefix := filepath.Join(dir, "test.yaml") + ":1: templates: "
	for _, line := range strings.Split(err.Error(), "\n") {
		assert.True(t, strings.HasPrefix(line, prefix), "%q", line)
	}
	assert.Contains(t, err.Error(), prefix+`"bad\nname.tmpl": `)
}

// A channel that names a template of the directory is not refused when
// another file of the directory is: the directory's fault is named, and
// the channel takes the templates New took. Before, every channel took
// the defaults then, and one naming "custom" was refused with "not in
// Config.Templates (want html, markdown, …)", though custom.tmpl was
// there and parsed.
func TestTemplateDirFaultLeavesOtherTemplates(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tmpl/custom.tmpl", "{{.Title}}")
	writeFile(t, dir, "tmpl/short.tmpl", "{{.Title}")
	_, err := parseIn(dir, "templates: tmpl\nchannels:\n  - kind: console\n    template: custom\n", config.Loader{LookupEnv: env(nil)})
	require.Error(t, err)
	got := strings.Split(err.Error(), "\n")
	require.Len(t, got, 1, "%v", err)
	assert.Contains(t, got[0], "test.yaml:1: templates: short.tmpl: parse: ")
}

// A list of text written as one value ("to: ops@example.com") is
// refused with the way to write a list of one, which YAML's "want a
// list" does not say.
func TestListOfOneWrittenAsText(t *testing.T) {
	dir := t.TempDir()
	_, err := parseIn(dir, "channels:\n  - kind: email\n    host: smtp.example.com\n    from: status@example.com\n    to: ops@example.com\n",
		config.Loader{LookupEnv: env(nil)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `channels[0].to: want a list, got "ops@example.com" (a list of one is written [ops@example.com], `+
		`or "- ops@example.com" on the line below)`)
	_, err = parseIn(dir, "channels:\n  - kind: email\n    host: smtp.example.com\n    from: status@example.com\n    to: \"a\\nb\"\n",
		config.Loader{LookupEnv: env(nil)})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "a list of one", "a quoted value may hold what a hint cannot show on one line")
}

// A templates file that New refuses and that no channel renders by its
// name is one fault, on one line naming the file, that says both: before,
// it was two lines, one of New's ("shrot.tmpl: parse: …") and one of the
// name check ("shrot.tmpl: no channel renders …"), which read as two
// faults of two files. A file New refuses for its name ("bad name.tmpl")
// is so too.
func TestTemplateFileRefusedAndUnknownOneFault(t *testing.T) {
	tests := []struct{ name, file, text string }{
		{"parse", "shrot.tmpl", "{{.Title}"},
		{"not UTF-8", "shrot.tmpl", "\xff{{.Title}}"},
		{"bad name", "bad name.tmpl", "{{.Title}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "tmpl/"+tt.file, tt.text)
			writeFile(t, dir, "tmpl/text.tmpl", "{{.Title}}")
			_, err := parseIn(dir, "templates: tmpl\nchannels:\n  - kind: console\n", config.Loader{LookupEnv: env(nil)})
			require.Error(t, err)
			got := strings.Split(err.Error(), "\n")
			require.Len(t, got, 1, "%v", err)
			assert.Contains(t, got[0], "test.yaml:1: templates: "+tt.file+": ")
			assert.Contains(t, got[0], "; and no channel renders a template ")
			assert.Equal(t, 1, strings.Count(got[0], tt.file), "the file named once: %v", err)
		})
	}
}
