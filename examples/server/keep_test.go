package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/prune"
)

// -keep defaults to 90 days; 0 keeps everything; a negative one is refused.
func TestKeepFlag(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, prune.DefaultKeep, o.keep)
	o, err = parseFlags([]string{"-keep", "0"}, io.Discard)
	require.NoError(t, err)
	assert.Zero(t, o.keep)
	_, err = parseFlags([]string{"-keep", "-1h"}, io.Discard)
	assert.ErrorContains(t, err, "-keep: negative")
}

// A service name for -listen's port is taken, as net.Listen, the bridge
// and the webhook receiver take it.
func TestListenServiceName(t *testing.T) {
	o, err := parseFlags([]string{"-listen", "localhost:http"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "localhost:http", o.listen)
}

// -h shows -keep's default as the README and the package doc give it, 90
// days ("90d"), not as time.Duration prints it ("2160h0m0s"), and -keep
// takes what -h shows, days included, as well as any duration.
func TestKeepFlagShowsAndTakesDays(t *testing.T) {
	var out strings.Builder
	_, err := parseFlags([]string{"-h"}, &out)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, out.String(), "(default 90d)")
	assert.NotContains(t, out.String(), "2160h")
	for given, want := range map[string]time.Duration{"90d": prune.DefaultKeep, "2160h": prune.DefaultKeep, "1d": 24 * time.Hour, "36h30m": 36*time.Hour + 30*time.Minute, "0": 0} {
		o, err := parseFlags([]string{"-keep", given}, io.Discard)
		require.NoError(t, err, given)
		assert.Equal(t, want, o.keep, given)
	}
	_, err = parseFlags([]string{"-keep", "-1d"}, io.Discard)
	assert.ErrorContains(t, err, "-keep: negative")
	_, err = parseFlags([]string{"-keep", "1.5d"}, io.Discard)
	assert.ErrorContains(t, err, "-keep")
}
