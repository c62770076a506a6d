package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A flag given twice with different values took the last one without a
// word (-state a.db … -state b.db: the deliveries recorded in a.db
// unknown, the notifications Alertmanager sends again posted again); it is
// an error naming the flag and both values, exit status 2.
func TestFlagGivenTwiceRefused(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	var stdout, stderr strings.Builder
	// Done already: a bridge that took the flags stops before serving.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-state", a, "-state", b}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), `alertmanager-bridge: -state: given twice ("`+a+`", then "`+b+`"): give it once`)
}

// -state given twice as a database's URL, with its password: the error
// named the flag and quoted both values, passwords and all, though the
// bridge quotes no -state URL for that reason. And -config given a second
// time empty ("$CONFIG" of a variable not set) ran with the console and
// no channel, without a word.
func TestFlagGivenTwiceQuotesNoSecret(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr strings.Builder
	code := run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-state", "postgres://app:hunter2-fake@db.example.com/a",
		"-state", "postgres://app:hunter3-fake@db.example.com/b"}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), "-state: given twice")
	assert.NotContains(t, stderr.String()+stdout.String(), "hunter")

	stdout.Reset()
	stderr.Reset()
	code = run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-config", filepath.Join(t.TempDir(), "a.yaml"), "-config", ""}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), `-config: given twice (`)
}
