package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A variable named as a secret is hidden wherever it went, a "when:" of
// the wrong variable included: the dry run's "not sent" reason, which
// quotes the route, shows its reference, in text and JSON, and so does
// the dry run of -correct on the channel whose "when:" left the original
// out.
func TestDryRunNotSentHidesSecretInWhen(t *testing.T) {
	const password = "Pa55-word-7c1e9a" // a fake secret
	t.Setenv("SMTP_PASSWORD", password)
	cfg := writeConfig(t, fastRetry+"channels:\n  - kind: console\n    name: all\n"+
		"  - kind: console\n    name: some\n    output: stderr\n    when: {components: [\"${SMTP_PASSWORD}\"]}\n")
	for _, extra := range [][]string{nil, {"-json"}} {
		r := announce(t, context.Background(), "", append([]string{"-config", cfg, "-dry-run",
			"-title", "Elevated CDN errors", "-status", "investigating"}, extra...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "components [${SMTP_PASSWORD}]", extra)
		assert.NotContains(t, r.stdout+r.stderr, password, extra)
	}

	state := filepath.Join(t.TempDir(), "state.db")
	sent := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "investigating")
	require.Equal(t, exitOK, sent.code, sent.stderr)
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-dry-run", "-correct", updateIDOf(t, sent.stdout), "-title", "Elevated CDN errors", "-status", "identified")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- some: not sent: when: components [${SMTP_PASSWORD}]")
	assert.NotContains(t, r.stdout+r.stderr, password)
}
