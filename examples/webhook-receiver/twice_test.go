package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -listen given twice with different values (a command copied and a flag
// added) took the last one without a word; it is a mistake on the command
// line naming the flag, which main exits 2 on, as in announce and the
// bridge. The same value twice is fine.
func TestFlagGivenTwiceRefused(t *testing.T) {
	_, err := parseFlags([]string{"-listen", "127.0.0.1:8090", "-listen", "127.0.0.1:8091"})
	require.Error(t, err)
	assert.Equal(t, `-listen: given twice ("127.0.0.1:8090", then "127.0.0.1:8091"): give it once`, err.Error())

	listen, err := parseFlags([]string{"-listen", "127.0.0.1:8091", "-listen", "127.0.0.1:8091"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8091", listen)
}
