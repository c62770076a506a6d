package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A value merged in that the entry's own key overrides, or an earlier
// merge's ("<<: [{port: 25}, {port: x}]"), is one the YAML library never
// reads (yaml.org/type/merge.html): no check refuses the file over it,
// nor names a key twice. Before, the walker and the check of listed
// values looked at every merged value, and the walker took a merge key in
// a mapping of headers for a header named "<<".
func TestOverriddenMergedValuesNotChecked(t *testing.T) {
	email := lines(
		"channels:",
		"  - kind: email",
		"    name: mail",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
	)
	tests := []struct {
		name, yaml string
	}{
		{"own key over a listed value", email + lines(
			"    <<: {tls: STARTTLS}",
			"    tls: starttls",
		)},
		{"own key written first", lines(
			"channels:",
			"  - tls: starttls",
			"    <<: {tls: STARTTLS, port: x}",
			"    port: 25",
			"    kind: email",
			"    host: smtp.example.com",
			"    from: a@example.com",
			"    to: [b@example.com]",
		)},
		{"earlier merge over a later one", email + lines(
			"    <<: [{port: 25}, {port: x}]",
		)},
		{"earlier merge over a later listed value", email + lines(
			"    <<: [{tls: starttls}, {tls: STARTTLS}]",
		)},
		{"a merged mapping's own key over its merge", email + lines(
			"    <<: {port: 25, <<: {port: x, tls: STARTTLS}, tls: implicit}",
		)},
		{"a whole mapping overridden", email + lines(
			"    when: {statuses: [resolved]}",
			"    <<: {when: {statuses: [down], bogus: 1}}",
		)},
		{"into a mapping of headers", lines(
			"channels:",
			"  - kind: webhook",
			"    url: https://hooks.example.com/in",
			"    allow_unsigned: true",
			"    headers: {X-B: c, <<: {X-A: b, X-B: [y]}}",
		)},
		{"setting", lines(
			"retry: {max_attempts: 3, <<: {max_attempts: x}}",
			"channels: [console://]",
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.NoError(t, err)
		})
	}
}

// A key of a merged mapping that no other key overrides is checked, once,
// even when two merges hold it and the earlier one's value is read.
func TestMergedValueReadNamedOnce(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    name: mail",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    <<: [{port: x}, {port: y}]",
	), nil)
	assertFaults(t, err, `test.yaml:7: channels[0].port: want a whole number, got "x"`)
}
