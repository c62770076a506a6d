package config

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A fault's text is "file:line: what", or "file: what" without a line,
// and it unwraps to what it wraps; joinFaults orders faults by their
// lines, those of one line (or of none, first) in the order given, by the
// faults' fields, not by reading each line back from the text.
func TestFaultsOrderedByTheirLines(t *testing.T) {
	wrapped := faultf("a.yaml", 7, "ca_file: %w", fs.ErrNotExist)
	assert.Equal(t, "a.yaml:7: ca_file: file does not exist", wrapped.Error())
	assert.ErrorIs(t, wrapped, fs.ErrNotExist)
	assert.Equal(t, "a.yaml: empty file: no channels", faultf("a.yaml", 0, "empty file: no channels").Error())

	err := joinFaults([]error{
		faultf("a.yaml", 12, "c"),
		faultf("a.yaml", 3, "a"),
		faultf("a.yaml", 12, "d (or e)"),
		faultf("a.yaml", 0, "whole file"),
		faultf("a.yaml", 3, "b"),
	})
	assert.Equal(t, "a.yaml: whole file\na.yaml:3: a\na.yaml:3: b\na.yaml:12: c\na.yaml:12: d (or e)", err.Error())
	assert.ErrorIs(t, joinFaults([]error{faultf("a.yaml", 2, "%w", errors.ErrUnsupported)}), errors.ErrUnsupported)
}
