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

// Of a flag given twice, a value that may hold credentials (-state or
// -config a database's URL, with its password) is not quoted: the error
// quoted it, before the check that refuses a URL there without quoting it.
func TestFlagGivenTwiceQuotesNoURL(t *testing.T) {
	const secret = "s3cr3t-PASSWORD"
	var stdout, stderr strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := run(ctx, nil, []string{"-listen", "127.0.0.1:0", "-state", "postgres://u:" + secret + "@db/x",
		"-state", filepath.Join(t.TempDir(), "b.db")}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), "alertmanager-bridge: -state: given twice with two values (not quoted")
	assert.NotContains(t, stderr.String(), secret)
	assert.NotContains(t, stdout.String(), secret)
}
