package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A retry that would start after -timeout ends never happens: its
// progress line says the channel times out first, not "retrying in 45m",
// which promised an attempt that never came. A retry within -timeout is
// still announced.
func TestRetryPastTimeoutSaysTimeoutEndsFirst(t *testing.T) {
	h := newHookReceiver(t)
	h.fail(http.StatusServiceUnavailable, "busy")
	slow := "retry: {max_attempts: 3, initial_interval: 1h, max_interval: 2h, max_elapsed: 10h}\n"
	cfg := writeConfig(t, slow+"channels:\n"+hookConfig(t, h))
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved", "-timeout", "100ms")
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "retrying in")
	assert.Regexp(t, `hooks: no retry: -timeout ends in \S+, before the next attempt would start: .*503`, r.stderr)
	assert.Contains(t, r.stderr, "hooks: timed out after 1 attempt")

	cfg = writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	r = announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved", "-timeout", "1h")
	require.Equal(t, exitFailed, r.code, r.stderr)
	assert.Regexp(t, `hooks: retrying in \S+: .*503`, r.stderr)
	assert.NotContains(t, r.stderr, "no retry")
}
