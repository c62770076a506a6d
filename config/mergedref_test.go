package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A reference in a value that a merge brings in and the entry's own key
// overrides, which the YAML library never reads, is not expanded: an
// unset variable there is no error. Before, every value of the file was
// expanded, read or not. One that another entry reads through an alias
// of the same mapping is still expanded, and refused when unset.
func TestReferenceInOverriddenMergedValueNotExpanded(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - <<: {kind: console, name: \"${NOPE_UNSET_NAME}\"}",
		"    name: ops",
		"  - <<: &d {kind: console, output: \"${NOPE_UNSET_OUT}\"}",
		"    output: stdout",
		"    name: two",
	), nil)
	require.NoError(t, err)

	_, _, err = parse(t, lines(
		"channels:",
		"  - <<: &d {kind: console, output: \"${NOPE_UNSET_OUT}\"}",
		"    output: stdout",
		"    name: one",
		"  - <<: *d",
		"    name: two",
	), nil)
	assertFaults(t, err, `NOPE_UNSET_OUT`)
}
