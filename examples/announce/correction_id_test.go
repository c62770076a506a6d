package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An update sent with the -id of a correction is refused by the channels
// that delivered the correction: the error names -id as typed (not the
// library's "ID", nor "leave it empty", which -id refuses), in the
// progress, the failure line and the JSON, and the run exits 2, as the
// same -id given to another correction does.
func TestUpdateWithACorrectionsIDNamesTheFlag(t *testing.T) {
	h, cfg, state, id := sentToHook(t, "-incident", "cdn", "-title", "CDN errors", "-status", "identified", "-body", "Wrong.")
	args := []string{"-config", cfg, "-state", state, "-incident", "cdn", "-title", "CDN errors", "-status", "identified"}
	r := announce(t, context.Background(), "", append(args, "-correct", id, "-id", "fix-1", "-body", "Right.")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, h.updates(), 2)

	r = announce(t, context.Background(), "", append(args, "-id", "fix-1", "-body", "Other.")...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, `hooks: failed after 0 attempts: -id: "fix-1" is the -id of a correction of update "`+id+
		`", delivered on this channel; give the update an -id of its own, or leave -id out`)
	assert.NotContains(t, r.stderr, "ID:")
	assert.NotContains(t, r.stderr, "leave it empty")

	r = announce(t, context.Background(), "", append(args, "-id", "fix-1", "-body", "Other.", "-json")...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	var out jsonReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	require.Len(t, out.Results, 1)
	assert.Regexp(t, `^-id: "fix-1" is the -id of a correction`, out.Results[0].Error)
	assert.Len(t, h.updates(), 2, "nothing sent")
}
