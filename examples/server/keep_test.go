package main

import (
	"io"
	"testing"

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
