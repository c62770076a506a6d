// Package durationflagtest checks an example program's duration flags
// from its tests: a number without a unit is refused saying what is
// wanted, and the help still names the flags' kind.
package durationflagtest

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CheckWithoutUnit checks that parse, a program's flag parsing writing
// its help to out, refuses "-name 5" for each of names with the error
// durationflag.Value gives a number without a unit, and that its help
// ("-h") contains each of help.
func CheckWithoutUnit(t *testing.T, parse func(args []string, out io.Writer) error, names, help []string) {
	t.Helper()
	for _, name := range names {
		err := parse([]string{"-" + name, "5"}, io.Discard)
		require.Error(t, err, name)
		assert.Equal(t, `invalid value "5" for flag -`+name+`: want a duration with a unit, as 30s or 2m`, err.Error())
	}
	var out strings.Builder
	err := parse([]string{"-h"}, &out)
	require.Error(t, err)
	for _, h := range help {
		assert.Contains(t, out.String(), h)
	}
}
