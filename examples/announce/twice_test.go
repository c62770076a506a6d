package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flag that takes one value, given twice with different values (a
// command copied and a flag added to it, a script's common flags and its
// own), took the last one without a word: -state a.db … -state b.db kept
// no record in a.db, and the same command again posted twice. It is an
// error naming each such flag and both values; the same value twice, and
// the repeatable -component and -override, are fine.
func TestFlagGivenTwiceRefused(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	r := announce(t, context.Background(), "", "-dry-run", "-title", "CDN errors", "-status", "investigating",
		"-state", a, "-title", "CDN outage", "-state="+b)
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, `-title: given twice ("CDN errors", then "CDN outage"): give it once`)
	assert.Contains(t, r.stderr, `-state: given twice ("`+a+`", then "`+b+`"): give it once`)
	assert.Empty(t, r.stdout)

	r = announce(t, context.Background(), "", "-dry-run", "-title", "T", "-status", "investigating", "-timeout", "90s", "-timeout", "1m30s",
		"-title", "T", "-component", "CDN=major_outage", "-component", "API=partial_outage")
	assert.Equal(t, exitOK, r.code, r.stderr)
}

// -help still shows each flag's default as before.
func TestHelpAfterTwiceCheck(t *testing.T) {
	r := announce(t, context.Background(), "", "-help")
	require.Equal(t, exitOK, r.code)
	assert.NotContains(t, r.stdout, "panic")
	assert.NotContains(t, r.stdout, "(default 0s)")
}
