package config_test

import "testing"

// A value of the file's own keys refused for its type leaves its setting
// at zero, as decoding does: the checks of the settings judge what the
// file says, not that zero. Before, such a value was named and a second
// fault said of the zero (an initial_interval refused was "not set", a
// store.kind refused made the store a bolt one without a path), or a
// fault was lost (a state refused was no state, beside a store).
func TestRefusedValueNamedAlone(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{{
		name: "initial interval",
		file: lines(
			"retry: {initial_interval: soon, max_interval: 500ms}",
			"channels:",
			"  - kind: console",
		),
		want: []string{`test.yaml:1: retry.initial_interval: want a duration such as 30s or 1m30s, got "soon"`},
	}, {
		name: "store kind",
		file: lines(
			"store: {kind: [memory]}",
			"channels:",
			"  - kind: console",
		),
		want: []string{`test.yaml:1: store.kind: want a string, got a list`},
	}, {
		name: "store path",
		file: lines(
			"store: {path: [a.db]}",
			"channels:",
			"  - kind: console",
		),
		want: []string{`test.yaml:1: store.path: want a string, got a list`},
	}, {
		name: "state beside a store",
		file: lines(
			"state: [a.db]",
			"store: {kind: memory}",
			"channels:",
			"  - kind: console",
		),
		want: []string{
			`test.yaml:1: state: want a string, got a list`,
			`test.yaml:2: store: set state or store, not both`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.file, nil)
			assertFaults(t, err, tt.want...)
		})
	}
}
