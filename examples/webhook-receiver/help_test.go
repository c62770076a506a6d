package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -h names -listen's kind as the other programs' help does ("-listen
// address", not "-listen string") and its sentences are not broken in
// the middle.
func TestHelpNamesTheListenAddress(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	_, err = parseFlags([]string{"-h"})
	os.Stdout = stdout
	require.NoError(t, w.Close())
	out, rerr := io.ReadAll(r)
	require.NoError(t, rerr)
	require.True(t, errors.Is(err, flag.ErrHelp), "%v", err)
	assert.Contains(t, string(out), "-listen address")
	assert.Contains(t, string(out), "(default \"127.0.0.1:8090\")")
	assert.Contains(t, string(out), "and prints each event once.")
	assert.NotContains(t, string(out), "-listen string")
}
