package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// assertFaults checks that err names the faults want, a line each, in
// this order, and no other.
func assertFaults(t *testing.T, err error, want ...string) {
	t.Helper()
	require.Error(t, err)
	got := strings.Split(err.Error(), "\n")
	require.Len(t, got, len(want), err.Error())
	for i, w := range want {
		assert.Contains(t, got[i], w)
	}
}

// The faults of the stages are named with those of the channels, in one
// error in file order: before, the stages were checked only once every
// channel was built, so a file with a bad channel and a bad stage named
// the channel alone, and mending it took a run per mistake. A stage that
// names a channel refused is no fault of its own.
func TestStageFaultsNamedWithChannels(t *testing.T) {
	_, _, err := parse(t, lines(
		"stages: [[nope], [ops, two], [two]]",
		"channels:",
		"  - kind: console",
		"    name: ops",
		"    secrt: x",
		"  - kind: console",
		"    name: two",
		"    when: {statuses: [down]}",
	), nil)
	assertFaults(t, err,
		`test.yaml:1: stages[0][0]: names no channel`,
		`test.yaml:1: stages[2][0]: channel "two" is in stages[1][1] already`,
		`test.yaml:5: channels[0]: unknown key "secrt"`,
		`test.yaml:8: channels[1].when.statuses[0]: unknown value "down"`,
	)
}

// A templates directory that cannot be read is named with the faults of
// the channels: before, it stopped Load before any channel was built.
func TestTemplatesFaultNamedWithChannels(t *testing.T) {
	_, _, err := parse(t, lines(
		"templates: ./missing",
		"channels:",
		"  - kind: console",
		"    secrt: x",
	), nil)
	assertFaults(t, err,
		`test.yaml:1: templates: `,
		`test.yaml:4: channels[0]: unknown key "secrt"`,
	)
}

// A file of the templates directory that no channel renders is named with
// the faults of the channels, and so is every other such file.
func TestTemplateFilesFaultsNamedWithChannels(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "templates"), 0o755))
	for _, f := range []string{"shrot.tmpl", "lnog.tmpl"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", f), []byte("x"), 0o600))
	}
	_, err := parseIn(dir, lines(
		"templates: ./templates",
		"stages: [[nope]]",
		"channels:",
		"  - kind: console",
		"    when: {statuses: [down]}",
	), config.Loader{LookupEnv: env(nil)})
	assertFaults(t, err,
		`test.yaml:1: templates: lnog.tmpl: no channel renders a template "lnog"`,
		`test.yaml:1: templates: shrot.tmpl: no channel renders a template "shrot"`,
		`test.yaml:2: stages[0][0]: names no channel`,
		`test.yaml:5: channels[0].when.statuses[0]: unknown value "down"`,
	)
}

// A stage that may name a channel refused whose name cannot be told (a
// URL without a name) is not said to name no channel.
func TestStageOfRefusedURLChannel(t *testing.T) {
	_, _, err := parse(t, lines(
		"stages: [[console]]",
		"channels:",
		"  - url: console://",
		"    nmae: x",
	), nil)
	assertFaults(t, err, `test.yaml:4: channels[0]: unknown key "nmae"`)
}

// A stage that names a channel refused twice says so without quoting the
// name, which may be the secret the channel was refused for.
func TestStageOfRefusedChannelNotQuoted(t *testing.T) {
	const pw = "correct-horse-battery"
	_, _, err := parse(t, lines(
		"stages: [["+pw+"], ["+pw+"]]",
		"channels:",
		"  - kind: email",
		"    name: "+pw,
		"    host: 127.0.0.1",
		"    tls: plaintext",
		"    username: bot",
		"    password: "+pw,
		"    from: status@example.com",
		"    to: [a@example.com]",
	), nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), pw)
	assert.Contains(t, err.Error(), "stages[1][0]: names the channel of stages[0][0] again (not quoted")
}
