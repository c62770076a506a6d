package main

import (
	"errors"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/stdouttest"
)

// -h names -listen's kind as the other programs' help does ("-listen
// address", not "-listen string") and its sentences are not broken in
// the middle.
func TestHelpNamesTheListenAddress(t *testing.T) {
	var err error
	out := stdouttest.Capture(t, func() { _, err = parseFlags([]string{"-h"}) })
	require.True(t, errors.Is(err, flag.ErrHelp), "%v", err)
	assert.Contains(t, out, "-listen address")
	assert.Contains(t, out, "(default \"127.0.0.1:8090\")")
	assert.Contains(t, out, "and prints each event once.")
	assert.NotContains(t, out, "-listen string")
}
