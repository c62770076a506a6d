package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A name written empty ("" or ”) is refused naming the key, as a name
// written without a value is: most likely a value a tool writing the file
// lost. Before, "name:" was an error and name: "" quietly gave the kind's
// name, so that a second channel of the kind was refused as a duplicate
// name, or a route written for the lost name matched no channel. An empty
// reference, ${NAME:-}, is the name left out on purpose.
func TestEmptyNameIsRefused(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{lines("channels:", "  - kind: console", `    name: ""`), `test.yaml:3: channels[0].name: empty (write the channel's name`},
		{lines("channels:", "  - kind: console", `    name: ''`), `test.yaml:3: channels[0].name: empty (write the channel's name`},
		{lines("channels:", "  - kind: console", "    name: ops", "  - url: console://", `    name: ""`),
			`test.yaml:5: channels[1].name: empty (write the channel's name`},
		{lines("channels:", "  - kind: console", "    name:"), `test.yaml:3: channels[0].name: empty (write a value, or leave the key out)`},
		// The URL form's name= too.
		{lines("channels:", "  - discord://AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567@123456789012345678?name="),
			`test.yaml:2: channels[0] (discord "discord"): URL: query name: empty (write the channel's name, or leave name out for the default)`},
	} {
		_, _, err := parse(t, tt.yaml, nil)
		require.Error(t, err, tt.yaml)
		assert.Contains(t, err.Error(), tt.want, tt.yaml)
	}
	for _, y := range []string{
		lines("channels:", "  - kind: console"),
		lines("channels:", "  - kind: console", "    name: ${NAME:-}"),
		lines("channels:", "  - url: console://", "    name: ${NAME:-}"),
	} {
		cfg, _, err := parse(t, y, nil)
		require.NoError(t, err, y)
		assert.Equal(t, "console", cfg.Channels[0].Name(), y)
	}
}

// A name: "" merged in ("<<: *defaults") is refused as one written in
// the entry is: before, the check read the entry's own keys only, and the
// merged empty name quietly gave the kind's. A name written in the entry
// wins over the merged one, as YAML's merge has it, and so does the
// first of a list of merged mappings.
func TestEmptyNameMergedInIsRefused(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{lines("channels:", "  - kind: console", "    <<: {name: \"\"}"), `test.yaml:3: channels[0].name: empty (write the channel's name`},
		{lines("channels:", "  - &d {kind: console, name: ops, output: stdout}", "  - {<<: *d, name: \"\"}"),
			`test.yaml:3: channels[1].name: empty (write the channel's name`},
		{lines("channels:", "  - kind: console", "    name: a", "  - &d {kind: console, name: ''}", "  - <<: *d"),
			`test.yaml:4: channels[1].name: empty (write the channel's name`},
		{lines("channels:", "  - kind: console", "    name: a", "  - kind: console", "    <<: [{name: ''}, {name: b}]"),
			`test.yaml:5: channels[1].name: empty (write the channel's name`},
		{lines("channels:", "  - kind: console", "    name: a", "  - kind: console", "    <<: {<<: {name: ''}}"),
			`test.yaml:5: channels[1].name: empty (write the channel's name`},
		{lines("channels:", "  - url: console://", "    name: a", "  - url: console://", "    <<: {name: ''}"),
			`test.yaml:5: channels[1].name: empty (write the channel's name`},
	} {
		_, _, err := parse(t, tt.yaml, nil)
		require.Error(t, err, tt.yaml)
		assert.Contains(t, err.Error(), tt.want, tt.yaml)
	}
	for y, want := range map[string]string{
		lines("channels:", "  - kind: console", "    name: ops", "    <<: {name: ''}"):      "ops",
		lines("channels:", "  - kind: console", "    <<: {name: ''}", "    name: ops"):      "ops",
		lines("channels:", "  - kind: console", "    <<: [{name: ops}, {name: ''}]"):        "ops",
		lines("channels:", "  - kind: console", "    <<: {name: ops, <<: {name: ''}}"):      "ops",
		lines("channels:", "  - kind: console", "    <<: {name: '${NAME:-}'}"):              "console",
		lines("channels:", "  - &d {kind: console, name: ops}", "  - {<<: *d, name: ops2}"): "ops",
	} {
		cfg, _, err := parse(t, y, nil)
		require.NoError(t, err, y)
		assert.Equal(t, want, cfg.Channels[0].Name(), y)
	}
}

// An entry with name: "" has its other faults named with that one, each
// at its line, as every fault of an entry is: before, the empty name was
// the entry's only fault named, so that mending it took a run per mistake.
func TestEmptyNameHidesNoOtherFault(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		`    name: ""`,
		"    url: https://hooks.example.com/in",
		"    bogus: 1",
		"    concurrency: many",
		"    when: {statuses: [down]}",
		"  - url: gopher://h.example.com/",
		`    name: ""`,
		"    when: {impacts: [huge]}",
		"  - kind: console",
		`    name: ""`,
		"    when: {first: true}",
		"  - kind: nope",
		`    name: ""`,
	), nil)
	assertFaults(t, err,
		`test.yaml:3: channels[0].name: empty (write the channel's name`,
		`test.yaml:5: channels[0]: unknown key "bogus"`,
		`test.yaml:6: channels[0].concurrency: want a whole number, got "many"`,
		`test.yaml:7: channels[0].when.statuses[0]: unknown value "down"`,
		`test.yaml:8: channels[1]: URL scheme "gopher": no kind of channel takes it`,
		`test.yaml:9: channels[1].name: empty (write the channel's name`,
		`test.yaml:10: channels[1].when.impacts[0]: unknown value "huge"`,
		`test.yaml:12: channels[2].name: empty (write the channel's name`,
		`test.yaml:13: channels[2].when.first: needs statuses`,
		`test.yaml:14: channels[3]: kind: unknown value "nope"`,
		`test.yaml:15: channels[3].name: empty (write the channel's name`,
	)
}
