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

// -h names each flag's value as the usage line and the README do (a
// directory, an address, a URL, a title, a tag), not "string", which
// says nothing of what to give.
func TestHelpNamesFlagValues(t *testing.T) {
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
	for _, want := range []string{"-dir directory", "-listen address", "-base URL", "-title title", "-lang tag", `(default "127.0.0.1:8080")`} {
		assert.Contains(t, string(out), want)
	}
	assert.NotContains(t, string(out), " string\n")
}
