package onceflag

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flag the program does not have gets the flag package's error and, for
// a close match among its flags (a letter left out, added, changed, or
// two swapped; two of them in a longer name), a line naming it: before,
// "-lisen" got only "flag provided but not defined". A name not close to
// any, or too short to tell, gets no guess; help is not a mistake.
func TestParseSuggestsAClosematch(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-lisen", ":1"}, "flag provided but not defined: -lisen\ndid you mean -listen?"},
		{[]string{"--listn=:1"}, "flag provided but not defined: -listn\ndid you mean -listen?"},
		{[]string{"-Listen", ":1"}, "flag provided but not defined: -Listen\ndid you mean -listen?"},
		{[]string{"-dryrun"}, "flag provided but not defined: -dryrun\ndid you mean -dry-run?"},
		{[]string{"-titel", "T"}, "flag provided but not defined: -titel\ndid you mean -title?"},
		{[]string{"-tmieout", "5s"}, "flag provided but not defined: -tmieout\ndid you mean -timeout?"},
		{[]string{"-timout=5s"}, "flag provided but not defined: -timout\ndid you mean -timeout?"},
		{[]string{"-dry-run", "-stat", "a.db"}, "flag provided but not defined: -stat\ndid you mean -state?"},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"-port", "1"}, "flag provided but not defined: -port"},
		{[]string{"-x"}, "flag provided but not defined: -x"},
		{[]string{"-tle"}, "flag provided but not defined: -tle"},
		{[]string{"-lstn"}, "flag provided but not defined: -lstn"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("listen", "", "")
		fs.String("state", "", "")
		fs.String("title", "", "")
		fs.Bool("dry-run", false, "")
		fs.Duration("timeout", 0, "")
		fs.Bool("v", false, "")
		err := Parse(fs, tt.args)
		require.Error(t, err, "%q", tt.args)
		assert.Equal(t, tt.want, err.Error(), "%q", tt.args)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("listen", "", "")
	assert.True(t, errors.Is(Parse(fs, []string{"-help"}), flag.ErrHelp))
}
