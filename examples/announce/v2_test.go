package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// updateIDOf returns the update ID a send's summary names.
func updateIDOf(t *testing.T, stdout string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^update (\S+) of incident`).FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	return m[1]
}

func TestAdvice(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "Elevated CDN errors", "-status", "identified",
		"-advice", "Retry failed downloads.")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, h.updates(), 1)
	assert.Equal(t, "Retry failed downloads.", h.updates()[0].Advice, "the webhook payload carries it")

	r = announce(t, context.Background(), "", "-title", "T", "-status", "identified", "-advice", string(make([]byte, 1001)))
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "announce: -advice: ")
}

// A channel's "when:" leaves some updates out; the summary says so.
func TestWhenRoutes(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+xConfig(t, x)+
		"    when: {impacts: [major, critical]}\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "Slow API", "-status", "investigating", "-impact", "minor")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `x +not selected +0 `, r.stdout)
	assert.Regexp(t, `hooks +delivered +1 `, r.stdout)
	assert.Contains(t, r.stderr, `x: not selected (its "when:" leaves this update out)`)
	assert.Empty(t, x.sent())

	r = announce(t, context.Background(), "", "-config", cfg, "-title", "CDN down", "-status", "investigating", "-impact", "major", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.Equal(t, "delivered", rep.Results[1].Outcome)
	assert.Len(t, x.sent(), 1)
}

// A channel written as a URL, with a name, in the configuration.
func TestURLChannel(t *testing.T) {
	h := newHookReceiver(t)
	t.Setenv("HOOK_URL", "webhook+http://"+h.Listener.Addr().String()+"/in?secret="+testSecret)
	cfg := writeConfig(t, fastRetry+"channels:\n  - ${HOOK_URL}\n  - {url: \"console://stderr?template=short\", name: screen}\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `webhook +delivered +1 `, r.stdout)
	assert.Regexp(t, `screen +delivered +1 `, r.stdout)
	assert.Len(t, h.updates(), 1)
	assert.NotContains(t, r.stdout+r.stderr, testSecret)

	r = announce(t, context.Background(), "", "-config", cfg, "-check")
	assert.Regexp(t, `webhook +1 endpoint http://127.0.0.1:\d+/…#\w+, 1 signed +ok`, r.stdout)
	assert.Regexp(t, `screen +stderr, template short +nothing to check: writes to the output it is configured with, reaching no server`, r.stdout)
	assert.NotContains(t, r.stdout+r.stderr, testSecret)
}

func TestCorrect(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+xConfig(t, x))
	state := filepath.Join(t.TempDir(), "state.db")
	first := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "identified", "-body", "A bad deploy in EU.")
	require.Equal(t, exitOK, first.code, first.stderr)
	id := updateIDOf(t, first.stdout)

	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn", "-correct", id,
		"-title", "Elevated CDN errors", "-status", "identified", "-body", "A bad deploy in US-East.")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, h.updates(), 2)
	assert.Equal(t, id, h.updates()[1].Corrects, "the webhook payload names the corrected update")
	posts := x.sent()
	require.Len(t, posts, 1, "X edits its post in place")
	assert.Contains(t, posts[0].Text, "US-East")
}

// A -correct that edits the original's post in place (the status page's)
// reads "edited" in the summary; where it is posted anew in the thread
// (X's, for an account that may not edit), "delivered".
func TestCorrectSaysWhereItEdited(t *testing.T) {
	x := newFakeX(t)
	x.noEdits = true
	page := "  - kind: statuspage\n    name: status-page\n    dir: " + filepath.Join(t.TempDir(), "site") +
		"\n    base_url: https://status.example.com/\n    title: Example Status\n"
	cfg := writeConfig(t, fastRetry+"channels:\n"+page+xConfig(t, x))
	state := filepath.Join(t.TempDir(), "state.db")
	first := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "identified", "-body", "A bad deploy in EU.")
	require.Equal(t, exitOK, first.code, first.stderr)
	id := updateIDOf(t, first.stdout)

	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn", "-correct", id,
		"-title", "Elevated CDN errors", "-status", "identified", "-body", "A bad deploy in US-East.")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `status-page +edited`, r.stdout)
	assert.Regexp(t, `x +delivered`, r.stdout)
	// The progress lines say so too.
	assert.Contains(t, r.stderr, "status-page: edited https://status.example.com/")
	assert.NotContains(t, r.stderr, "status-page: delivered")
	assert.Regexp(t, `(?m)^x: delivered`, r.stderr)
}

func TestRetract(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n  - kind: console\n    output: stderr\n"+hookConfig(t, h)+xConfig(t, x)+
		"    when: {impacts: [critical]}\n")
	state := filepath.Join(t.TempDir(), "state.db")
	sent := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-title", "T", "-status", "resolved")
	require.Equal(t, exitOK, sent.code, sent.stderr)
	id := updateIDOf(t, sent.stdout)

	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id)
	assert.Equal(t, exitOK, r.code, "all that can be deleted was")
	assert.Contains(t, r.stderr, "still out there on console: the platform cannot delete posts")
	assert.Contains(t, r.stderr, "console: cannot be deleted on this platform", "the progress line says it too")
	assert.NotContains(t, r.stderr, "failed after")
	assert.Contains(t, r.stdout, "retraction of update "+id)
	assert.Regexp(t, `console +cannot be deleted on this platform`, r.stdout)
	assert.Regexp(t, `hooks +deleted`, r.stdout)
	assert.Regexp(t, `x +nothing to delete`, r.stdout)

	r = announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id, "-json")
	var out jsonRetraction
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	assert.True(t, out.OK)
	assert.Equal(t, []string{retractUnsupported, retractNotPosted, retractNotPosted},
		[]string{out.Results[0].Outcome, out.Results[1].Outcome, out.Results[2].Outcome}, "retracted already")
}

// Sending a retracted update again (the walkthrough: send, -retract, the
// same send) posts nothing, and says the update was retracted, not that it
// was delivered before: the channel whose post was deleted, and the one
// that had not posted it (its "when:" left it out), read "retracted"; the
// console, which cannot delete its post, still has it.
func TestSendAfterRetract(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n  - kind: console\n    output: stderr\n"+hookConfig(t, h)+xConfig(t, x)+
		"    when: {impacts: [critical]}\n")
	state := filepath.Join(t.TempDir(), "state.db")
	args := []string{"-config", cfg, "-state", state, "-title", "T", "-status", "resolved"}
	sent := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, sent.code, sent.stderr)
	id := updateIDOf(t, sent.stdout)
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id)
	require.Equal(t, exitOK, r.code, r.stderr)

	r = announce(t, context.Background(), "", append(args, "-impact", "critical")...)
	assert.Equal(t, exitOK, r.code, "another update: -impact changes the ID")
	id2 := updateIDOf(t, r.stdout)
	require.NotEqual(t, id, id2)
	r = announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id2)
	require.Equal(t, exitOK, r.code, r.stderr)
	hooked, posted := len(h.updates()), len(x.sent()) // the posts and the retractions

	// Every channel had posted it: no error, nothing sent.
	r = announce(t, context.Background(), "", append(args, "-impact", "critical")...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `hooks +retracted +0 `, r.stdout)
	assert.Regexp(t, `x +retracted +0 `, r.stdout)
	assert.Regexp(t, `console +skipped +0 `, r.stdout, "its post is still there")
	assert.Contains(t, r.stderr, "hooks: retracted: its post was deleted", "the progress line")
	assert.Contains(t, r.stderr, "update "+id2+" was retracted on hooks, x; nothing was sent.")
	assert.Contains(t, r.stderr, "new -id")
	assert.NotContains(t, r.stderr, "delivered before")

	// x had not posted it: the retraction keeps it from posting it now.
	r = announce(t, context.Background(), "", args...)
	assert.Equal(t, exitFailed, r.code, "x did not post the update")
	assert.Regexp(t, `hooks +retracted +0 `, r.stdout)
	assert.Regexp(t, `x +retracted +0 `, r.stdout)
	assert.Contains(t, r.stderr, "announce: x: not posted: update "+id+" was retracted before this channel posted it")
	assert.Contains(t, r.stderr, "x: not posted: retracted before this channel posted it", "the progress line")
	assert.NotContains(t, r.stderr, "failed after")
	assert.Contains(t, r.stderr, "update "+id+" was retracted on hooks, x; nothing was sent.")
	assert.NotContains(t, r.stderr, "delivered before")
	assert.Len(t, h.updates(), hooked, "nothing posted again")
	assert.Len(t, x.sent(), posted)

	r = announce(t, context.Background(), "", append(args, "-json")...)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
	assert.Equal(t, []string{outcomeSkipped, outcomeRetracted, outcomeRetracted},
		[]string{rep.Results[0].Outcome, rep.Results[1].Outcome, rep.Results[2].Outcome})
	assert.Empty(t, rep.Results[1].URL, "no link to a deleted post")
}

// sentToHook sends the update args describe to a webhook receiver, with a
// state file, and returns them, the config file and the update's ID.
func sentToHook(t *testing.T, args ...string) (h *hookReceiver, cfg, state, id string) {
	t.Helper()
	h = newHookReceiver(t)
	cfg = writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	state = filepath.Join(t.TempDir(), "state.db")
	sent := announce(t, context.Background(), "", append([]string{"-config", cfg, "-state", state}, args...)...)
	require.Equal(t, exitOK, sent.code, sent.stderr)
	return h, cfg, state, updateIDOf(t, sent.stdout)
}

// A deletion that fails exits 1, unlike a platform that cannot delete.
func TestRetractFailureExitsOne(t *testing.T) {
	h, cfg, state, id := sentToHook(t, "-title", "T", "-status", "resolved")
	h.mu.Lock()
	h.status, h.reply = http.StatusForbidden, "no"
	h.mu.Unlock()
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id)
	assert.Equal(t, exitFailed, r.code, r.stdout)
	assert.Regexp(t, `hooks +failed`, r.stdout)
}

// A mistyped ID is refused, naming -retract, instead of reported as not
// posted on every channel with exit 0.
func TestRetractUnknownID(t *testing.T) {
	h, cfg, state, _ := sentToHook(t, "-title", "T", "-status", "resolved")

	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", "u_typo")
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, `-retract: no channel posted update "u_typo"; check the ID`)
	assert.NotContains(t, r.stderr, "invalid update", "in the flag's terms, not the library's")
	assert.Len(t, h.updates(), 1, "nothing else sent")
}

func TestModesExclude(t *testing.T) {
	r := announce(t, context.Background(), "", "-check", "-retract", "u_1")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-check and -retract: use one")
}

// A correction's ID is not the one the same flags give a plain update:
// correcting with the text of an update already sent still corrects.
func TestCorrectWithTextSentBefore(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	send := func(extra ...string) result {
		args := append([]string{"-config", cfg, "-state", state, "-incident", "cdn", "-title", "CDN errors", "-status", "identified"}, extra...)
		r := announce(t, context.Background(), "", args...)
		require.Equal(t, exitOK, r.code, r.stderr)
		return r
	}
	wrong := updateIDOf(t, send("-body", "Wrong text.").stdout)
	send("-body", "Right text.")
	send("-correct", wrong, "-body", "Right text.")
	require.Len(t, h.updates(), 3, "the correction went out")
	assert.Equal(t, wrong, h.updates()[2].Corrects)
}

// A correction whose title changed, without -incident, would get another
// incident (a slug of the new title): it is refused, naming -incident.
func TestCorrectWithAnotherTitleNeedsTheIncident(t *testing.T) {
	h, cfg, state, id := sentToHook(t, "-title", "CDN erors", "-status", "identified")

	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-correct", id,
		"-title", "CDN errors", "-status", "identified")
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, `-incident: "cdn-errors" is not the incident of update`)
	assert.Contains(t, r.stderr, `which was posted in incident "cdn-erors"; give the correction that incident`)
	require.Len(t, h.updates(), 1, "nothing sent")

	r = announce(t, context.Background(), "", "-config", cfg, "-state", state, "-correct", id, "-incident", "cdn-erors",
		"-title", "CDN errors", "-status", "identified")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, h.updates(), 2)
}

// -correct and -retract need the store the update was sent with: without
// one, nothing would be known of its posts.
func TestCorrectAndRetractNeedAStore(t *testing.T) {
	r := announce(t, context.Background(), "", "-retract", "u_1")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-retract: needs the store the update was sent with")
	r = announce(t, context.Background(), "", "-correct", "u_1", "-title", "T", "-status", "identified")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-correct: needs the store the update was sent with")
}

// A dry run says which channels a channel's "when:" leaves out, as the send
// would, instead of showing their text as if it went out.
func TestDryRunWhen(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, "channels:\n"+hookConfig(t, h)+xConfig(t, x)+"    when: {impacts: [major, critical]}\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-dry-run", "-title", "Slow API", "-status", "investigating", "-impact", "minor")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `--- hooks: \d+ bytes\n\{"type":"incident.updated"`, r.stdout, "the other channels as before")
	assert.Contains(t, r.stdout, "--- x: not sent: when: impacts [major, critical] does not select impact minor"+
		" (taken as its first post of incident slow-api: no -state)\n")
	assert.NotRegexp(t, `--- x: \d+/280`, r.stdout, "no text for a channel that would not send")

	r = announce(t, context.Background(), "", "-config", cfg, "-dry-run", "-title", "Slow API", "-status", "investigating", "-impact", "major")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `--- x: \d+/280 weighted characters \(taken as its first post of incident slow-api: no -state\)\nInvestigating: Slow API`, r.stdout)
	assert.Empty(t, x.sent(), "a dry run posts nothing")
	assert.Empty(t, h.updates())
}

// With -state, a dry run reads each channel's thread of the incident:
// once a channel has posted it, impacts no longer filter, and first no
// longer adds an update.
func TestDryRunWhenReadsThread(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+"    when: {statuses: [resolved], first: true}\n"+
		xConfig(t, x)+"    when: {impacts: [major, critical]}\n")
	state := filepath.Join(t.TempDir(), "state.db")
	dryRun := func() result {
		r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-dry-run", "-incident", "api",
			"-title", "Slow API", "-status", "identified", "-impact", "minor")
		require.Equal(t, exitOK, r.code, r.stderr)
		return r
	}

	r := dryRun()
	assert.Contains(t, r.stdout, "--- x: not sent: when: impacts [major, critical] does not select impact minor"+
		" (taken as its first post of incident api: state file "+state+" does not exist yet)\n")
	assert.Regexp(t, `--- hooks: \d+ bytes \(taken as its first post of incident api: state file .* does not exist yet\)\n`, r.stdout)
	assert.NoFileExists(t, state, "a dry run creates no state file")

	sent := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "api",
		"-title", "Slow API", "-status", "investigating", "-impact", "major")
	require.Equal(t, exitOK, sent.code, sent.stderr)
	require.Len(t, x.sent(), 1)
	require.Len(t, h.updates(), 1)

	r = dryRun()
	assert.Regexp(t, `--- x: \d+/280 weighted characters\nIdentified: Slow API`, r.stdout, "x has posted the incident: impacts no longer filter")
	assert.Contains(t, r.stdout, "--- hooks: not sent: when: statuses [resolved] does not select status identified"+
		" (first: the channel has posted this incident already)\n")
	assert.NotContains(t, r.stdout, "taken as", "the threads were read")
	assert.Len(t, x.sent(), 1, "a dry run posts nothing")
	assert.Len(t, h.updates(), 1)
}

func TestDryRunWhenJSON(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, "channels:\n"+hookConfig(t, h)+xConfig(t, x)+"    when: {statuses: [resolved]}\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-dry-run", "-json", "-title", "Slow API", "-status", "investigating")
	require.Equal(t, exitOK, r.code, r.stderr)
	var out []struct {
		Channel   string `json:"channel"`
		Text      string `json:"text"`
		WouldSend *bool  `json:"would_send"`
		NotSent   string `json:"not_sent"`
		Assumed   string `json:"assumed"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	require.Len(t, out, 2)
	assert.Equal(t, "hooks", out[0].Channel)
	require.NotNil(t, out[0].WouldSend, r.stdout)
	assert.True(t, *out[0].WouldSend)
	assert.Empty(t, out[0].NotSent)
	assert.Equal(t, "x", out[1].Channel)
	require.NotNil(t, out[1].WouldSend, r.stdout)
	assert.False(t, *out[1].WouldSend)
	assert.Equal(t, "when: statuses [resolved] does not select status investigating", out[1].NotSent)
	assert.Empty(t, out[1].Assumed, "statuses do not depend on the thread")
	assert.Contains(t, out[1].Text, "Investigating: Slow API", "the text is kept for scripts")
	assert.Empty(t, x.sent())
}

// A dry run decides routes as the send will: after the incident's only
// post on x was deleted, x's next post is its first again, and impacts
// filter it.
func TestDryRunAfterRetraction(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+xConfig(t, x)+"    when: {impacts: [major, critical]}\n")
	state := filepath.Join(t.TempDir(), "state.db")
	sent := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "api",
		"-title", "Slow API", "-status", "investigating", "-impact", "major")
	require.Equal(t, exitOK, sent.code, sent.stderr)
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", updateIDOf(t, sent.stdout))
	require.Equal(t, exitOK, r.code, r.stderr+r.stdout)

	args := []string{"-config", cfg, "-state", state, "-incident", "api", "-title", "Slow API", "-status", "identified", "-impact", "minor"}
	dry := announce(t, context.Background(), "", append(args, "-dry-run")...)
	assert.Contains(t, dry.stdout, "--- x: not sent: when: impacts [major, critical] does not select impact minor")
	send := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, send.code, send.stderr)
	assert.Regexp(t, `x +not selected`, send.stdout, "the send agrees")
}

// Without -config, the hint that the update went to the console only
// follows a send that went there, not one that sent nothing; a mistyped
// -correct names the flag.
func TestConsoleHintOnlyAfterASend(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	args := []string{"-state", state, "-title", "T", "-status", "resolved"}
	r := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "no -config: the update went to the console")

	r = announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "nothing was sent")
	assert.NotContains(t, r.stderr, "no -config")

	r = announce(t, context.Background(), "", append(args, "-correct", "u_nonexistent")...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `-correct: no channel delivered update "u_nonexistent"; check the ID`)
	assert.NotContains(t, r.stderr, "-id", "the ID to check is -correct's: no -id was given")
	assert.NotContains(t, r.stderr, "no -config")
}

// With -json the console writes to standard error, and the hint says so.
func TestConsoleHintWithJSON(t *testing.T) {
	r := announce(t, context.Background(), "", "-json", "-title", "T", "-status", "resolved")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "Resolved: T")
	assert.Contains(t, r.stderr, "no -config: the update went to the console (standard error) only.")
}

// -retract and -correct with a state file that does not exist (a mistyped
// path) are refused, naming it, instead of making a new, empty state that
// knows no update and saying "no channel posted" it.
func TestRetractWithAMissingStateFile(t *testing.T) {
	cfg := writeConfig(t, fastRetry+"channels:\n  - kind: console\n    output: stderr\n")
	missing := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{
		{"-retract", "u_1"},
		{"-correct", "u_1", "-title", "T", "-status", "resolved"},
	} {
		r := announce(t, context.Background(), "", append([]string{"-config", cfg, "-state", missing}, args...)...)
		assert.Equal(t, exitUsage, r.code, r.stderr)
		assert.Contains(t, r.stderr, "-state: "+missing+" does not exist")
		assert.NoFileExists(t, missing, "no new state was made")
	}
}

// A -correct of a retracted update is refused where the post was deleted:
// the table reads "original retracted" there, not "failed", nor
// "retracted", which would say the correction was; the progress line and
// the reason name the update retracted.
func TestCorrectAfterRetractReadsRetracted(t *testing.T) {
	args, id := sentAndRetracted(t)

	r := announce(t, context.Background(), "", append(args, "-correct", id, "-body", "Fixed text.")...)
	assert.Equal(t, exitFailed, r.code, "nothing was corrected")
	assert.Regexp(t, `hooks +original retracted +0 `, r.stdout)
	assert.Contains(t, r.stderr, "hooks: original retracted: nothing to correct\n")
	assert.Contains(t, r.stderr, "announce: hooks: not posted: ")
	assert.Contains(t, r.stderr, "update "+id+", which this corrects, was retracted")
	assert.NotContains(t, r.stderr, "failed after")
	assert.NotContains(t, r.stderr, "give it a new -id", "the correction was not retracted")
}

// A dry run with the -state an update was delivered with says each channel
// that has it would skip it, instead of printing the text it would not
// send.
func TestDryRunSaysDeliveredBefore(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	args := []string{"-config", cfg, "-state", state, "-title", "T", "-status", "investigating"}
	r := announce(t, context.Background(), "", append(args, "-dry-run")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "delivered before", "not sent yet")
	sent := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, sent.code, sent.stderr)
	id := updateIDOf(t, sent.stdout)

	r = announce(t, context.Background(), "", append(args, "-dry-run")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- hooks: not sent: delivered before with this state file (update "+id+"): a send skips it")
	assert.Len(t, h.updates(), 1, "a dry run sends nothing")
}

// A dry run of an update retracted with this state file says so, as the send
// would, rather than that it was delivered before.
func TestDryRunSaysRetracted(t *testing.T) {
	args, id := sentAndRetracted(t)

	r := announce(t, context.Background(), "", append(args, "-dry-run")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "--- hooks: not sent: retracted with this state file (update "+id+"): a send posts nothing")
	assert.NotContains(t, r.stdout, "delivered before")
}

// sentAndRetracted sends an update to a webhook channel named hooks with a
// -state, and retracts it: it returns the send's flags and the update's ID.
func sentAndRetracted(t *testing.T) (args []string, id string) {
	t.Helper()
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	args = []string{"-config", cfg, "-state", state, "-title", "T", "-status", "investigating"}
	sent := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, sent.code, sent.stderr)
	id = updateIDOf(t, sent.stdout)
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id)
	require.Equal(t, exitOK, r.code, r.stderr)
	return args, id
}

// "when: {impacts: [none]}" takes an update sent without -impact: no
// impact is impact none, as every template and the status page show it.
func TestWhenImpactNoneSelectsNoImpact(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+"    when: {impacts: [none]}\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "Planned restart", "-status", "investigating")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `hooks +delivered +1 `, r.stdout)
	assert.Len(t, h.updates(), 1)
}
