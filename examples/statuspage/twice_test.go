package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flag that takes one value, given twice with different values (a
// command copied and a flag added), took the last one without a word:
// -dir a … -dir b served b and left a as it was. It is exit status 2
// naming the flag, as in announce and the bridge; a URL given to it
// (-base with a user and password) is not quoted; the same value twice is
// fine. So is -demo given twice the same, but not -demo … -demo=false.
func TestFlagGivenTwiceRefused(t *testing.T) {
	const secret = "s3cr3t-PASSWORD"
	_, err := parseFlags([]string{"-dir", "a", "-title", "T", "-dir", "b"})
	require.Error(t, err)
	var out strings.Builder
	assert.Equal(t, 2, fail(&out, usageError{err}), "as main exits")
	assert.Equal(t, "statuspage: -dir: given twice (\"a\", then \"b\"): give it once\nRun statuspage -help for usage.\n", out.String())

	_, err = parseFlags([]string{"-base", "https://u:" + secret + "@status.example.com/", "-base", "https://status.example.com/"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-base: given twice, with two values (not quoted")
	assert.NotContains(t, err.Error(), secret)

	o, err := parseFlags([]string{"-dir", "a", "-dir", "a", "-demo", "-demo", "-title", "T"})
	require.NoError(t, err)
	assert.Equal(t, "a", o.dir)

	_, err = parseFlags([]string{"-demo", "-title", "T", "-demo=false"})
	require.EqualError(t, err, `-demo: given twice ("true", then "false"): give it once`)
}
