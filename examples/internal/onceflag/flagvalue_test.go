package onceflag

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flag whose value is left out takes the next flag as its value: before,
// "announce -state -dry-run -title x -status investigating" sent the
// update for real, to a state file named "-dry-run", rather than preview
// it. A value that names one of the program's flags (or -h) is refused,
// naming both, and the value's text after "=" is never quoted; written
// with "=", it is taken, as the flag package takes it. Values that only
// start with "-" are values.
func TestParseRefusesAFlagAsValue(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // "": no error
	}{
		{[]string{"-state", "-json"}, `-state: given the flag -json as its value: give -state a value (or write -state=-json)`},
		{[]string{"-state", "--timeout=1m", "x"}, `-state: given the flag -timeout as its value: give -state a value (or write -state=-timeout)`},
		{[]string{"-json", "--state", "-component=hunter2"}, `-state: given the flag -component as its value: give -state a value (or write -state=-component)`},
		{[]string{"-timeout", "-h"}, `-timeout: given the flag -h as its value: give -timeout a value (or write -timeout=-h)`},
		{[]string{"-state=-json"}, ""},
		{[]string{"-state", "-"}, ""},
		{[]string{"-state", "-x.db"}, ""},
		{[]string{"-state", "--"}, ""},
		{[]string{"-timeout", "-5s"}, ""},
		{[]string{"-json", "a", "-state", "-json"}, ""}, // after the first argument, no flags
		{[]string{"--", "-state", "-json"}, ""},
	} {
		fs, _, _ := newSet()
		err := Parse(fs, tt.args, "component")
		if tt.want == "" {
			assert.NoError(t, err, "%q", tt.args)
			continue
		}
		require.Error(t, err, "%q", tt.args)
		assert.Contains(t, err.Error(), tt.want, "%q", tt.args)
		assert.NotContains(t, err.Error(), "hunter2")
	}
}
