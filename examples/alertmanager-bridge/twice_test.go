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
