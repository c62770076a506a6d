package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -timeout given a number without a unit says what is wanted, where the
// flag package said only "parse error".
func TestTimeoutWithoutUnit(t *testing.T) {
	_, _, err := parseFlags([]string{"-title", "CDN errors", "-status", "investigating", "-timeout", "5"})
	require.Error(t, err)
	assert.Equal(t, `invalid value "5" for flag -timeout: want a duration with a unit, as 30s or 2m`, err.Error())
	o, _, err := parseFlags([]string{"-title", "CDN errors", "-status", "investigating", "-timeout", "90s"})
	require.NoError(t, err)
	assert.Equal(t, "1m30s", o.timeout.String())
}
