package googlechat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Google Chat links a link written without a scheme as its users type it
// ("status.example.com/_next/incident"), as it does one with, and a text
// message takes the syntax its users type. A zero-width space after a
// marker in such a link's path would end the link there, or send readers
// to another page: the link's path is left as written, as a URL's is.
// Markers before the link, or in its host, are still defused.
func TestDefuseLeavesBareLinksWhole(t *testing.T) {
	const z = "\u200b"
	for _, tt := range []struct{ in, want string }{
		{"see example.com/_next/static", "see example.com/_next/static"},
		{"status.example.com/*/path?q=_x#~frag", "status.example.com/*/path?q=_x#~frag"},
		{"(gitlab.example.com/infra/_builds)", "(gitlab.example.com/infra/_builds)"},
		{"_see_ example.com/_a", "_" + z + "see_ example.com/_a"},
		{"not a link /_x_", "not a link /_" + z + "x_"},
		{"no.t/ _x_", "no.t/ _" + z + "x_"},
	} {
		assert.Equal(t, tt.want, defuse(tt.in), "defuse(%q)", tt.in)
	}
}

// Defusing a long text costs no more than reading it: each marker that
// opens once walked back to the start of its run, for hours on a
// megabyte of them, far past any test's deadline. The size is what fails
// the test then, not a measured time.
func TestDefuseLongRun(t *testing.T) {
	const z = "\u200b"
	for _, tt := range []struct{ unit, want string }{
		{"(_a", "(_" + z + "a"},
		{"x.com/(_a", "x.com/(_a"},
	} {
		n := 1 << 20 / len(tt.unit)
		assert.True(t, defuse(strings.Repeat(tt.unit, n)) == strings.Repeat(tt.want, n), tt.unit)
	}
}
