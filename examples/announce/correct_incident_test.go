package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -correct needs the -incident the update was sent in whenever that was
// not the default, a slug of -title: an update sent with -incident, as
// the README's walkthrough sends them, and corrected with the same -title
// but no -incident is refused, naming -incident. -help says so, rather
// than that -incident is needed only when -title changed.
func TestCorrectNeedsTheIncidentItWasSentWith(t *testing.T) {
	h, cfg, state, id := sentToHook(t, "-incident", "cdn-42", "-title", "CDN errors", "-status", "identified")

	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-correct", id,
		"-title", "CDN errors", "-status", "identified", "-body", "Fixed text.")
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, `-incident: "cdn-errors" is not the incident of update`)
	require.Len(t, h.updates(), 1, "nothing sent")

	help := announce(t, context.Background(), "", "-help")
	require.Equal(t, exitOK, help.code)
	assert.NotContains(t, help.stdout, "its -incident when -title changed")
	assert.Contains(t, help.stdout, "and the -incident it was sent with")
}
