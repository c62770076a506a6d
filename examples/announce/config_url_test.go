package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A configuration's URL given as -config (a file served over HTTPS, with
// its user and password) is refused without quoting it: the error of
// opening it as a file showed its password.
func TestConfigURLNotQuoted(t *testing.T) {
	for _, mode := range [][]string{
		{"-title", "T", "-status", "investigating"},
		{"-dry-run", "-title", "T", "-status", "investigating"},
		{"-check"},
	} {
		args := append([]string{"-config", "https://ops:Hunter2xyz@config.example.com/outagecast.yaml"}, mode...)
		r := announce(t, context.Background(), "", args...)
		assert.Equal(t, exitUsage, r.code, mode)
		assert.Contains(t, r.stderr, "-config: a URL (not quoted: it may hold credentials): give the configuration file's path", mode)
		assert.NotContains(t, r.stderr+r.stdout, "Hunter2xyz", mode)
	}
}
