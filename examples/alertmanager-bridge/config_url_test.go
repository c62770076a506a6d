package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A configuration's URL given as -config (a file served over HTTPS, with
// its user and password) is refused without quoting it: the error of
// opening it as a file showed its password.
func TestConfigURLNotQuoted(t *testing.T) {
	const url = "https://ops:Hunter2xyz@config.example.com/outagecast.yaml"
	_, err := parseFlags([]string{"-config", url}, io.Discard)
	require.EqualError(t, err, "-config: a URL (not quoted: it may hold credentials): give the configuration file's path")
	var stdout, stderr strings.Builder
	code := run(context.Background(), nil, []string{"-listen", "127.0.0.1:0", "-config", url}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.NotContains(t, stdout.String()+stderr.String(), "Hunter2xyz")
}
