package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -dry-run -correct ID shows what the correction would post on each
// channel, and whether it edits the original's post in place or posts
// anew in the thread, as the send would decide it; it posts nothing, and
// refuses what the send would refuse.
func TestDryRunCorrect(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	page := "  - kind: statuspage\n    name: status-page\n    dir: " + filepath.Join(t.TempDir(), "site") +
		"\n    base_url: https://status.example.com/\n    title: Example Status\n"
	cfg := writeConfig(t, fastRetry+"channels:\n"+page+xConfig(t, x)+"    when: {impacts: [major, critical]}\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	first := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "identified", "-impact", "major", "-body", "A bad deploy in EU.")
	require.Equal(t, exitOK, first.code, first.stderr)
	id := updateIDOf(t, first.stdout)
	require.Len(t, x.sent(), 1)

	// The correction says the impact was minor: X's "when:" would leave
	// out such an update, but the original reached X, so it goes there.
	args := []string{"-config", cfg, "-state", state, "-incident", "cdn", "-correct", id,
		"-title", "Elevated CDN errors", "-status", "identified", "-impact", "minor", "-body", "A bad deploy in US-East."}
	r := announce(t, context.Background(), "", append(args, "-dry-run")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `--- status-page: .*\(edits its post of update `+id+` in place, if the platform still lets it; else posts it in the thread\)\n`, r.stdout)
	assert.Regexp(t, `--- x: \d+/280 weighted characters \(edits its post of update `+id+` in place, if the platform still lets it; else posts it in the thread\)\nCorrection`, r.stdout)
	assert.Regexp(t, `--- hooks: \d+ bytes \(posted in the incident's thread as a correction\)\n`, r.stdout)
	assert.Contains(t, r.stdout, "US-East")
	assert.NotContains(t, r.stdout, "not sent")
	assert.Len(t, x.sent(), 1, "a dry run posts nothing")
	assert.Len(t, h.updates(), 1)

	r = announce(t, context.Background(), "", append(args, "-dry-run", "-json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var out []jsonPreview
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	require.Len(t, out, 3)
	assert.Equal(t, []string{"edited in place", "edited in place", "posted in the thread"},
		[]string{out[0].Correction, out[1].Correction, out[2].Correction})
	assert.True(t, out[1].WouldSend)

	// What the send refuses, the dry run refuses: a mistyped ID.
	r = announce(t, context.Background(), "", "-config", cfg, "-state", state, "-dry-run", "-correct", "u_typo",
		"-incident", "cdn", "-title", "Elevated CDN errors", "-status", "identified")
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, `-correct: no channel delivered update "u_typo"`)
	assert.Empty(t, r.stdout)

	// The send agrees with the dry run.
	r = announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `status-page +edited`, r.stdout)
	assert.Regexp(t, `x +edited`, r.stdout)
	r = announce(t, context.Background(), "", append(args, "-dry-run")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- x: not sent: delivered before with this state file")
}

// A dry run of a correction of an update retracted on a channel says the
// send would post nothing there.
func TestDryRunCorrectAfterRetraction(t *testing.T) {
	h, cfg, state, id := sentToHook(t, "-incident", "cdn", "-title", "T", "-status", "identified", "-body", "Wrong.")
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id)
	require.Equal(t, exitOK, r.code, r.stderr+r.stdout)
	before := h.requests()
	r = announce(t, context.Background(), "", "-config", cfg, "-state", state, "-dry-run", "-correct", id,
		"-incident", "cdn", "-title", "T", "-status", "identified", "-body", "Right.")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- hooks: not sent: update "+id+" was retracted here: nothing to correct")
	assert.Equal(t, before, h.requests(), "nothing sent")
}

// A correction of an update X's "when:" left out stays off X, though X
// posted a later update of the incident since, and the dry run says so;
// X's readers never saw the update corrected.
func TestDryRunCorrectRoutedAway(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+xConfig(t, x)+"    when: {impacts: [major, critical]}\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	first := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "investigating", "-impact", "minor", "-body", "Errors in EU.")
	require.Equal(t, exitOK, first.code, first.stderr)
	id := updateIDOf(t, first.stdout)
	require.Empty(t, x.sent())
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "identified", "-impact", "major", "-body", "A bad deploy.")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, x.sent(), 1)

	args := []string{"-config", cfg, "-state", state, "-incident", "cdn", "-correct", id,
		"-title", "Elevated CDN errors", "-status", "investigating", "-impact", "minor", "-body", "Errors in US-East."}
	r = announce(t, context.Background(), "", append(args, "-dry-run")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- x: not sent: when: impacts [major, critical] does not select impact minor")
	assert.Regexp(t, `--- hooks: \d+ bytes \(posted in the incident's thread as a correction\)\n`, r.stdout)

	r = announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, x.sent(), 1, "the send agrees with the dry run")
	assert.Len(t, h.updates(), 3)
}
