package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A duration flag given a number without a unit says what is wanted,
// where the flag package said only "parse error"; the help still names
// the flags' kind and defaults.
func TestDurationFlagWithoutUnit(t *testing.T) {
	for _, name := range []string{"timeout", "check-timeout"} {
		_, err := parseFlags([]string{"-" + name, "5"}, io.Discard)
		require.Error(t, err, name)
		assert.Equal(t, `invalid value "5" for flag -`+name+`: want a duration with a unit, as 30s or 2m`, err.Error())
	}
	var help strings.Builder
	_, err := parseFlags([]string{"-h"}, &help)
	require.Error(t, err)
	assert.Contains(t, help.String(), "-timeout duration")
	assert.Contains(t, help.String(), "(default 1m0s)")
	assert.Contains(t, help.String(), "-check-timeout duration")
	assert.Contains(t, help.String(), "(default 10s)")
}
