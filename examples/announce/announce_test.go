package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestBadInputExits2(t *testing.T) {
	ctx := context.Background()
	bad := writeConfig(t, "channels:\n  - type: console\n    outptu: stderr\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown status", []string{"-title", "T", "-status", "down"},
			`announce: -status: unknown value "down" (want investigating, identified, monitoring, resolved, scheduled, in_progress, verifying, completed)`},
		{"missing title", []string{"-status", "resolved"}, "announce: -title: missing"},
		{"missing status", []string{"-title", "T"}, "announce: -status: missing"},
		{"unknown impact", []string{"-title", "T", "-status", "resolved", "-impact", "huge"}, `-impact: unknown value "huge"`},
		{"unknown flag", []string{"-titel", "T"}, "flag provided but not defined: -titel"},
		{"stray argument", []string{"-title", "CDN", "errors", "-status", "resolved"}, `unexpected argument "errors"`},
		{"bad next", []string{"-title", "T", "-status", "identified", "-next", "soon"}, `-next: "soon": want +DURATION`},
		// A resolved or completed update promises no next one: -next
		// would be dropped without a word.
		{"next on a resolved update", []string{"-title", "T", "-status", "resolved", "-next", "+30m"},
			"announce: -next: a resolved update promises no next update (leave -next out)"},
		{"next on a completed maintenance", []string{"-title", "T", "-status", "completed", "-next", "14:30"},
			"announce: -next: a completed update promises no next update (leave -next out)"},
		{"bad component", []string{"-title", "T", "-status", "identified", "-component", "CDN"}, `-component: "CDN": want NAME=STATUS`},
		{"bad component status", []string{"-title", "T", "-status", "identified", "-component", "CDN=down"}, `unknown status "down"`},
		// Two statuses of one component contradict each other (names
		// match ignoring case, as a configuration's "when:" matches them).
		{"component twice", []string{"-title", "T", "-status", "identified", "-component", "CDN=major_outage", "-component", "cdn=operational"},
			`-component: "cdn=operational": CDN given twice`},
		{"override of no channel", []string{"-title", "T", "-status", "identified", "-override", "x=hi"},
			`-override: no channel named "x" (channels: console)`},
		{"bad URL", []string{"-title", "T", "-status", "identified", "-url", "status.example.com"}, "-url: must be an absolute http or https URL"},
		// Every flag at fault is named, so that one run shows them all.
		{"three flags at fault", []string{"-status", "down", "-component", "CDN", "-next", "soon"},
			`announce: -title: missing; -status: unknown value "down" (want investigating, identified, monitoring, resolved, scheduled, in_progress, verifying, completed); -component: "CDN": want NAME=STATUS`},
		{"long advice and bad URL", []string{"-title", "T", "-status", "identified", "-advice", strings.Repeat("a", 1001), "-url", "status.example.com"},
			"announce: -url: must be an absolute http or https URL; -advice: 1001 characters, more than 1000"},
		// A command before the pipe that failed and printed nothing would
		// otherwise post an update without its text.
		{"empty body on stdin", []string{"-title", "T", "-status", "identified", "-body", "-"}, "-body: standard input is empty"},
		// So would a -body "$BODY" of a variable that is not set: leave
		// -body out for an update without text.
		{"empty body", []string{"-title", "T", "-status", "identified", "-body", ""}, "-body: empty (leave -body out for an update without text)"},
		{"blank body", []string{"-title", "T", "-status", "identified", "-body", " \t"}, "-body: empty (leave -body out for an update without text)"},
		{"empty advice", []string{"-title", "T", "-status", "identified", "-advice", ""}, "-advice: empty (leave -advice out for an update without advice)"},
		{"negative timeout", []string{"-title", "T", "-status", "identified", "-timeout", "-1s"}, "-timeout: negative"},
		{"dry-run and check", []string{"-dry-run", "-check"}, "-dry-run and -check: use one"},
		{"bad config", []string{"-config", bad, "-title", "T", "-status", "resolved"}, `outagecast.yaml:3: channels[0]: unknown key "outptu"`},
		{"missing config", []string{"-config", filepath.Join(t.TempDir(), "nope.yaml"), "-check"}, "-config: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := announce(t, ctx, "", tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tt.want)
			if strings.Contains(tt.name, "config") {
				// The file's mistake: the flags' usage would not help.
				assert.NotContains(t, r.stderr, "-help")
			} else {
				assert.Contains(t, r.stderr, "Run announce -help for usage.")
			}
			assert.Empty(t, r.stdout, "nothing is sent")
		})
	}
}

// An update without text is fine (a resolution may say all in its
// status and title): -body left out is no error.
func TestNoBody(t *testing.T) {
	r := announce(t, context.Background(), "", "-title", "Elevated CDN errors", "-status", "resolved")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Elevated CDN errors")
}

func TestHelp(t *testing.T) {
	r := announce(t, context.Background(), "", "-help")
	assert.Equal(t, exitOK, r.code)
	for _, want := range []string{"Usage: announce", "-title", "-next", "+30m", "${ENV}", "${file:PATH}", "console channels then write to standard error", "Exit status", "derived from the flags as typed"} {
		assert.Contains(t, r.stdout, want)
	}
}

func TestConsoleByDefault(t *testing.T) {
	r := announce(t, context.Background(), "Some requests fail in Europe.\n",
		"-title", "Elevated CDN errors", "-status", "investigating", "-impact", "major", "-body", "-",
		"-component", "CDN=major_outage", "-url", "https://status.example.com/cdn")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, want := range []string{"Investigating: Elevated CDN errors", "Some requests fail in Europe.",
		"CDN: Major outage", "https://status.example.com/cdn"} {
		assert.Contains(t, r.stdout, want)
	}
	assert.Regexp(t, `CHANNEL +OUTCOME +ATTEMPTS +TIME +LINK\nconsole +delivered +1 `, r.stdout)
	assert.Contains(t, r.stderr, "console: delivered")
	assert.Contains(t, r.stderr, "pass -config FILE", "the hint says how to add real channels")
	assert.Contains(t, r.stderr, sampleConfig)
}

func TestQuietJSON(t *testing.T) {
	r := announce(t, context.Background(), "", "-quiet", "-json", "-title", "T", "-status", "resolved", "-incident", "inc-1", "-id", "upd-1")
	require.Equal(t, exitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stderr, "Resolved: T\n"), "the console writes to standard error: %q", r.stderr)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), "standard output is JSON only")
	assert.Equal(t, jsonReport{UpdateID: "upd-1", IncidentID: "inc-1", OK: true, Results: []jsonResult{
		{Channel: "console", Outcome: "delivered", Attempts: 1, DurationMS: rep.Results[0].DurationMS, ID: "console-1"},
	}}, rep)
}

func TestDryRun(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, "channels:\n"+hookConfig(t, h)+xConfig(t, x))
	r := announce(t, context.Background(), "", "-config", cfg, "-dry-run", "-title", "Elevated CDN errors",
		"-status", "identified", "-body", strings.Repeat("A config push broke the edge. ", 20),
		"-url", "https://status.example.com/cdn")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `--- x: \d+/280 weighted characters\nIdentified: Elevated CDN errors`, r.stdout)
	assert.Contains(t, r.stdout, "--- hooks: ")
	assert.Empty(t, x.sent(), "a dry run posts nothing")
	assert.Empty(t, h.updates())
}

func TestPrintPreviewFlagsOverLimit(t *testing.T) {
	var b strings.Builder
	printPreview(&b, previewOf("x", 301, 280), "")
	assert.Equal(t, "--- x: 301/280 weighted characters: OVER THE LIMIT by 21\ntext\n", b.String())
}

func previewOf(name string, length, limit int) broadcast.Preview {
	return broadcast.Preview{Channel: name, Text: "text", Length: length, Limit: limit, Unit: "weighted characters"}
}

func TestSendToWebhookAndX(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+xConfig(t, x))
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "Elevated CDN errors",
		"-status", "investigating", "-next", "+30m")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, h.updates(), 1)
	assert.Equal(t, "Elevated CDN errors", h.updates()[0].Title)
	require.Len(t, x.sent(), 1)
	assert.Contains(t, x.sent()[0].Text, "Investigating: Elevated CDN errors")
	assert.Regexp(t, `x +delivered +1 +\S+ +https://x.com/i/web/status/1445880548472328192`, r.stdout)
	assert.Regexp(t, `hooks +delivered +1 `, r.stdout)
}

func TestStateThreadsAndDeduplicates(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+xConfig(t, x))
	state := filepath.Join(t.TempDir(), "state.db")
	send := func(status string) result {
		return announce(t, context.Background(), "", "-config", cfg, "-state", state,
			"-incident", "cdn-errors", "-title", "Elevated CDN errors", "-status", status)
	}

	require.Equal(t, exitOK, send("investigating").code)
	again := send("investigating")
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Contains(t, again.stderr, "x: skipped (already delivered)")
	assert.Contains(t, again.stderr, "was delivered before (same flags as typed, same state file); nothing was sent", "a re-run says why nothing went out")
	assert.Regexp(t, `hooks +skipped +0 `, again.stdout)
	assert.Len(t, x.sent(), 1, "the same update is not posted twice")
	assert.Len(t, h.updates(), 1)

	require.Equal(t, exitOK, send("resolved").code)
	posts := x.sent()
	require.Len(t, posts, 2)
	assert.Equal(t, posts[0].ID, posts[1].ReplyTo, "the later update replies to the earlier post")
	assert.Equal(t, []string{"investigating", "resolved"}, []string{h.updates()[0].Status, h.updates()[1].Status})
	assert.Equal(t, "cdn-errors", h.updates()[1].IncidentID)
}

func TestPermanentFailureExits1(t *testing.T) {
	h := newHookReceiver(t)
	h.fail(http.StatusBadRequest, "unknown event type")
	cfg := writeConfig(t, fastRetry+"channels:\n  - type: console\n    output: stderr\n"+hookConfig(t, h))
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Equal(t, exitFailed, r.code)
	assert.Regexp(t, `hooks +failed +1 `, r.stdout, "a permanent failure is not retried")
	assert.Regexp(t, `console +delivered +1 `, r.stdout)
	assert.Contains(t, r.stderr, "announce: hooks: failed after 1 attempt: ")
	assert.Contains(t, r.stderr, "400")
}

func TestRetriesShowInProgress(t *testing.T) {
	h := newHookReceiver(t)
	h.fail(http.StatusServiceUnavailable, "busy")
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Equal(t, exitFailed, r.code)
	assert.Regexp(t, `hooks: retrying in \S+: .*503`, r.stderr)
	assert.Contains(t, r.stderr, "hooks: sending (attempt 3)")
	assert.Contains(t, r.stderr, "hooks: failed after 3 attempts")
}

func TestSecretsNeverPrinted(t *testing.T) {
	const token = "tok-4f9d1c2b8a7e6f5d4c3b2a19"
	t.Setenv("HOOK_TOKEN", token)
	h := newHookReceiver(t)
	h.fail(http.StatusBadRequest, "rejected Authorization: Bearer "+token) // a receiver that echoes it
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+
		"    headers:\n      Authorization: Bearer ${HOOK_TOKEN}\n")
	for _, args := range [][]string{
		{"-config", cfg, "-title", "T", "-status", "resolved"},
		{"-config", cfg, "-title", "T", "-status", "resolved", "-json"},
		{"-config", cfg, "-check"},
		{"-config", cfg, "-dry-run", "-title", "T", "-status", "resolved"},
	} {
		r := announce(t, context.Background(), "", args...)
		for _, s := range []string{token, testSecret} {
			assert.NotContains(t, r.stdout, s, args)
			assert.NotContains(t, r.stderr, s, args)
		}
	}
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Contains(t, r.stderr, "rejected Authorization: REDACTED", "the header value is redacted")
}

func TestTimeout(t *testing.T) {
	h := newHookReceiver(t)
	h.fail(http.StatusServiceUnavailable, "busy")
	cfg := writeConfig(t, "retry: {initial_interval: 10m, max_elapsed: 1h}\nchannels:\n"+hookConfig(t, h))
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved", "-timeout", "100ms")
	assert.Equal(t, exitFailed, r.code)
	assert.Regexp(t, `hooks +timed out +1 `, r.stdout)
	assert.Contains(t, r.stderr, "announce: gave up after -timeout 100ms")
}

// A channel that failed for good before the run was interrupted reads
// "failed", as its progress line does: only the channels Ctrl-C (or
// -timeout) stopped read "interrupted" (or "timed out"), so that the
// summary does not suggest a rerun would reach a channel that refused the
// update. The refusing channel is a stage of its own, done before the
// other is called.
func TestInterruptKeepsPermanentFailures(t *testing.T) {
	slow, refusing := newHookReceiver(t), newHookReceiver(t)
	cfg := writeConfig(t, "retry: {initial_interval: 10m, max_elapsed: 1h}\nstages: [[refusing]]\nchannels:\n"+hookConfig(t, slow)+
		fmt.Sprintf("  - type: webhook\n    name: refusing\n    url: %s/in\n    secret: ${WEBHOOK_SECRET}\n", refusing.URL))
	slow.fail(http.StatusServiceUnavailable, "busy")
	refusing.fail(http.StatusUnauthorized, "bad key")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- announce(t, ctx, "", "-config", cfg, "-title", "T", "-status", "resolved") }()
	require.Eventually(t, func() bool { return slow.requests() > 0 }, time.Minute, 5*time.Millisecond)
	cancel()
	r := <-done
	assert.Equal(t, exitInterrupted, r.code)
	assert.Regexp(t, `hooks +interrupted +1 `, r.stdout)
	assert.Regexp(t, `refusing +failed +1 `, r.stdout)
	assert.Contains(t, r.stderr, "announce: refusing: failed after 1 attempt: ")
}

func TestCheck(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, "channels:\n"+hookConfig(t, h)+xConfig(t, x))
	r := announce(t, context.Background(), "", "-config", cfg, "-check")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `CHANNEL +CONFIGURED +CHECK\n`+
		`hooks +1 endpoint http://127.0.0.1:\d+/…#\w+, 1 signed +ok: 1 endpoint: DNS, TCP ok; nothing posted\n`+
		`x +http://127.0.0.1:\d+, OAuth 1.0a user context +ok\n`, r.stdout)

	x.mu.Lock()
	x.unauthorized = true
	x.mu.Unlock()
	r = announce(t, context.Background(), "", "-config", cfg, "-check")
	assert.Equal(t, exitFailed, r.code)
	assert.Regexp(t, `x +http.* +failed: .*401`, r.stdout)
	assert.Empty(t, x.sent(), "a check posts nothing")
	assert.Empty(t, h.updates())
	assert.Zero(t, h.requests(), "no request reaches the webhook receiver")
}

func TestCheckWebhooks(t *testing.T) {
	secure := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("a check sent a request")
	}))
	t.Cleanup(secure.Close)
	secure.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is logged
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())
	t.Setenv("WEBHOOK_SECRET", testSecret)
	cfg := writeConfig(t, "channels:\n"+
		"  - type: webhook\n    name: ops\n    allow_unsigned: true\n    endpoints:\n"+
		"      - url: https://hooks.outagecast.invalid/in/tok-1a2b3c4d5e6f7a8b\n"+
		"      - url: http://"+closed+"/in\n"+
		"      - url: "+secure.URL+"/in\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-check")
	assert.Equal(t, exitFailed, r.code)
	assert.Regexp(t, `ops +3 endpoints on 3 hosts, 0 signed +failed: webhook: check: 3 of 3 endpoints unreachable: `+
		`https://hooks.outagecast.invalid/…#\w+: DNS lookup: .*; `+
		`http://`+regexp.QuoteMeta(closed)+`/…#\w+: TCP connect: .*; `+
		`https://127.0.0.1:\d+/…#\w+: TLS handshake: .*certificate`, r.stdout)
	assert.NotContains(t, r.stdout+r.stderr, "tok-1a2b3c4d5e6f7a8b")

	h := newHookReceiver(t)
	ok := writeConfig(t, "channels:\n  - type: webhook\n    name: ops\n    endpoints:\n"+
		"      - url: "+h.URL+"/a\n        secret: ${WEBHOOK_SECRET}\n"+
		"      - url: "+h.URL+"/b\n        secret: ${WEBHOOK_SECRET}\n")
	r = announce(t, context.Background(), "", "-config", ok, "-check")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `ops +2 endpoints on 1 host, 2 signed +ok: 2 endpoints: DNS, TCP ok; nothing posted`, r.stdout)
	r = announce(t, context.Background(), "", "-config", ok, "-check", "-json")
	assert.Contains(t, r.stdout, `"detail": "2 endpoints: DNS, TCP ok; nothing posted"`)
	assert.Zero(t, h.requests())
}

func TestInterrupt(t *testing.T) {
	h := newHookReceiver(t)
	h.fail(http.StatusServiceUnavailable, "busy")
	cfg := writeConfig(t, "retry: {initial_interval: 10m, max_elapsed: 1h}\nchannels:\n"+hookConfig(t, h))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- announce(t, ctx, "", "-config", cfg, "-title", "T", "-status", "resolved") }()
	// The first attempt fails; the channel then waits 10 minutes to retry.
	require.Eventually(t, func() bool { return h.requests() > 0 }, time.Minute, 5*time.Millisecond)
	cancel()
	select {
	case r := <-done:
		assert.Equal(t, 130, r.code, "as the other example programs, and a shell, report Ctrl-C")
		assert.Regexp(t, `hooks +interrupted +1 `, r.stdout)
		assert.Contains(t, r.stderr, "announce: interrupted")
	case <-time.After(time.Minute):
		t.Fatal("run did not return after the context was cancelled")
	}
}

func TestErrorsSpeakInConfigKeys(t *testing.T) {
	// The pacing of three channels at 10s a line cannot fit 2s: the IRC
	// channel refuses before connecting, and says what to change.
	cfg := writeConfig(t, fastRetry+"attempt_timeout: 2s\nchannels:\n"+
		"  - type: irc\n    name: chat\n    server: 127.0.0.1:1\n    tls: false\n    nick: status\n"+
		"    channels: ['#a', '#b', '#c']\n    burst: 1\n    interval: 10s\n")
	for _, args := range [][]string{
		{"-config", cfg, "-title", "T", "-status", "resolved"},
		{"-config", cfg, "-title", "T", "-status", "resolved", "-json"},
	} {
		r := announce(t, context.Background(), "", args...)
		assert.Equal(t, exitFailed, r.code)
		out := r.stdout + r.stderr
		assert.Contains(t, out, "raise attempt_timeout, lower max_lines, post to fewer channels, or raise burst or lower interval", args)
		assert.NotContains(t, out, "Config.", args)
		assert.NotContains(t, out, "broadcast.Options", args)
	}

	bad := writeConfig(t, "channels:\n  - type: console\n  - type: webhook\n    name: ops\n    secret: "+testSecret+"\n")
	r := announce(t, context.Background(), "", "-config", bad, "-check")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `outagecast.yaml:3: channels[1] (webhook "ops"): url: missing`)
}

// An update sent again under the -id of one delivered before goes nowhere,
// whatever its text: the note says so, and not that the flags were the
// same or that changing the text would send it.
func TestReusedIDSaysTheTextIsNotCompared(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	send := func(status string) result {
		return announce(t, context.Background(), "", "-config", cfg, "-state", state, "-id", "cdn-1",
			"-title", "Elevated CDN errors", "-status", status)
	}
	require.Equal(t, exitOK, send("investigating").code)
	again := send("resolved")
	assert.Len(t, h.updates(), 1, "the ID was delivered: nothing is sent")
	assert.NotContains(t, again.stderr, "same flags as typed")
	assert.NotContains(t, again.stderr, "change its text")
	assert.Contains(t, again.stderr, "update cdn-1 (-id) was delivered before with this state file; nothing was sent, "+
		"whatever its text now. To announce new text, give it a new -id.")
}

// A database's URL given as -state is refused without quoting it: the
// error of the directory it names showed its password.
func TestStateURLNotQuoted(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	r := announce(t, context.Background(), "", "-config", cfg, "-state", "postgres://ops:Hunter2xyz@db.example.com/status",
		"-title", "T", "-status", "investigating")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-state: a URL (not quoted: it may hold credentials): give the state file's path")
	assert.NotContains(t, r.stderr+r.stdout, "Hunter2xyz")
	assert.Empty(t, h.updates())
}

// Ctrl-C during -check (a TLS handshake that gets no answer waits up to
// the check's timeout) says the check was interrupted, not that it
// failed with "context canceled".
func TestCheckInterrupted(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, "channels:\n"+hookConfig(t, h))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the first Ctrl-C
	r := announce(t, ctx, "", "-config", cfg, "-check")
	assert.Equal(t, exitInterrupted, r.code)
	assert.Regexp(t, `\nhooks +1 endpoint .* +interrupted\n$`, r.stdout)
	assert.NotContains(t, r.stdout, "failed")
	assert.Equal(t, "announce: interrupted\n", r.stderr)
	r = announce(t, ctx, "", "-config", cfg, "-check", "-json")
	assert.Equal(t, exitInterrupted, r.code)
	assert.Contains(t, r.stdout, `"outcome": "interrupted"`)
}

// Ctrl-C while -correct checks its original in the state file, before
// anything is delivered, exits 130 and says the run was interrupted, as
// Ctrl-C during a delivery does; it exited 1 with the store's "context
// canceled".
func TestCorrectInterruptedBeforeDelivery(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-id", "u1",
		"-title", "T", "-status", "investigating")
	require.Equal(t, exitOK, r.code, r.stderr)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the first Ctrl-C
	for _, quiet := range []bool{false, true} {
		args := []string{"-config", cfg, "-state", state, "-correct", "u1", "-title", "T", "-status", "identified"}
		if quiet {
			args = append(args, "-quiet")
		}
		r = announce(t, ctx, "", args...)
		assert.Equal(t, exitInterrupted, r.code, r.stderr)
		assert.Equal(t, "announce: interrupted\n", r.stderr, "quiet: %v", quiet)
		assert.Empty(t, r.stdout)
	}
	assert.Len(t, h.updates(), 1, "the correction was not sent")
}

// A connection string written as key=value settings given as -state (or
// -config) is refused without quoting it, as a URL is: the error of the
// directory it names showed its password.
func TestStateSettingsNotQuoted(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h))
	for _, flag := range []string{"-state", "-config"} {
		args := []string{flag, "password=Hunter2xyz host=/nonexistent/x", "-title", "T", "-status", "investigating"}
		if flag == "-state" {
			args = append(args, "-config", cfg)
		}
		r := announce(t, context.Background(), "", args...)
		assert.Equal(t, exitUsage, r.code, flag)
		assert.Contains(t, r.stderr, flag+": key=value settings (not quoted: they may hold credentials): give the ", flag)
		assert.NotContains(t, r.stderr+r.stdout, "Hunter2xyz", flag)
	}
	assert.Empty(t, h.updates())
}
