package config_test

import (
	"testing"
)

// The checks of the file's own keys name every fault they find, with
// those of the channels, in one error in file order: before, each
// stopped at its first fault, and Load before any channel was built, so
// mending a file took a run per mistake.
func TestFileWideFaultsNamedTogether(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{{
		name: "unknown keys",
		file: lines(
			"stat: x.db",
			"retry: {max_attempts: 3, max_interal: 1m}",
			"channels:",
			"  - kind: console",
			"    secrt: x",
		),
		want: []string{
			`test.yaml:1: unknown key "stat"`,
			`test.yaml:2: retry: unknown key "max_interal"`,
			`test.yaml:5: channels[0]: unknown key "secrt"`,
		},
	}, {
		name: "values",
		file: lines(
			"attempt_timeout: many",
			"stage_wait: 30",
			"stages: [[console], 7]",
			"channels:",
			"  - kind: console",
			"    secrt: x",
		),
		want: []string{
			`test.yaml:1: attempt_timeout: want a duration such as 30s or 1m30s, got "many"`,
			`test.yaml:2: stage_wait: want a duration such as 30s or 1m30s, got "30" (a duration needs a unit, as in 30s)`,
			`test.yaml:3: stages[1]: want a list, got "7"`,
			`test.yaml:6: channels[0]: unknown key "secrt"`,
		},
	}, {
		name: "settings",
		file: lines(
			"attempt_timeout: 10ms",
			"retry: {max_attempts: -1, initial_interval: 1m, max_interval: 1s}",
			"stages: [[], [console]]",
			"state: a.db",
			"store: {kind: memory}",
			"channels:",
			"  - kind: console",
			"    secrt: x",
		),
		want: []string{
			`test.yaml:1: attempt_timeout: 10ms is too short for a request`,
			`test.yaml:2: retry.max_attempts: negative`,
			`test.yaml:2: retry.initial_interval: 1m0s is longer than retry.max_interval (1s)`,
			`test.yaml:3: stages[0]: empty (a stage names at least one channel)`,
			`test.yaml:5: store: set state or store, not both`,
			`test.yaml:8: channels[0]: unknown key "secrt"`,
		},
	}, {
		name: "empty",
		file: lines(
			`state: ""`,
			`templates: ""`,
			"channels:",
			"  - kind: console",
			"    secrt: x",
		),
		want: []string{
			`test.yaml:1: state: empty (`,
			`test.yaml:2: templates: empty (`,
			`test.yaml:5: channels[0]: unknown key "secrt"`,
		},
	}, {
		name: "keys given twice",
		file: lines(
			"state: a.db",
			"state: b.db",
			"channels:",
			"  - kind: console",
			"    name: a",
			"    name: b",
		),
		want: []string{
			`test.yaml:2: state: key given twice in one mapping (first at line 1)`,
			`test.yaml:6: channels[0].name: key given twice in one mapping (first at line 5)`,
		},
	}, {
		name: "anchors",
		file: lines(
			"channels:",
			"  - kind: email",
			"    password: &Pa55 word",
			"    username: &us3r",
		),
		want: []string{
			`test.yaml:3: channels[0].password: an anchor that no alias uses`,
			`test.yaml:4: channels[0].username: an anchor that no alias uses`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.file, nil)
			assertFaults(t, err, tt.want...)
		})
	}
}
