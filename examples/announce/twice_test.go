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

// -dry-run given twice with two values (a script's shared flags say
// -dry-run, the line that calls them adds -dry-run=false, or the other way
// round) sent for real, or sent nothing, without a word: switches were
// exempt from the rule above. It is refused as any flag is, exit status 2,
// and nothing is sent; -dry-run -dry-run, the same value twice, is fine.
func TestSwitchGivenTwiceRefused(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, "channels:\n"+hookConfig(t, h))
	for _, twice := range [][]string{{"-dry-run", "-dry-run=false"}, {"-dry-run=false", "-dry-run"}} {
		r := announce(t, context.Background(), "", twice[0], "-config", cfg, "-title", "CDN errors", "-status", "investigating", twice[1])
		require.Equal(t, exitUsage, r.code, r.stderr)
		assert.Contains(t, r.stderr, `-dry-run: given twice (`)
		assert.Empty(t, r.stdout)
		assert.Zero(t, h.requests(), "nothing is sent")
	}

	r := announce(t, context.Background(), "", "-dry-run", "-config", cfg, "-title", "CDN errors", "-status", "investigating", "-dry-run")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- hooks: ")
	assert.Zero(t, h.requests(), "a dry run sends nothing")
}

// -help still shows each flag's default as before.
func TestHelpAfterTwiceCheck(t *testing.T) {
	r := announce(t, context.Background(), "", "-help")
	require.Equal(t, exitOK, r.code)
	assert.NotContains(t, r.stdout, "panic")
	assert.NotContains(t, r.stdout, "(default 0s)")
}
