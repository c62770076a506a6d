package main

import (
	"errors"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/stdouttest"
)

// -h names each flag's value as the usage line and the README do (a
// directory, an address, a URL, a title, a tag), not "string", which
// says nothing of what to give.
func TestHelpNamesFlagValues(t *testing.T) {
	var err error
	out := stdouttest.Capture(t, func() { _, err = parseFlags([]string{"-h"}) })
	require.True(t, errors.Is(err, flag.ErrHelp), "%v", err)
	for _, want := range []string{"-dir directory", "-listen address", "-base URL", "-title title", "-lang tag", `(default "127.0.0.1:8080")`} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, " string\n")
}
