package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// TestSampleConfig loads the shipped sample, so that it never rots.
func TestSampleConfig(t *testing.T) {
	vars := map[string]string{}
	for _, k := range []string{"WEBHOOK_SECRET", "SUBSCRIBER_A_SECRET", "SUBSCRIBER_B_SECRET"} {
		vars[k] = testSecret
	}
	for _, k := range []string{"SMTP_USERNAME", "SMTP_PASSWORD", "X_CONSUMER_KEY", "X_CONSUMER_SECRET",
		"X_ACCESS_TOKEN", "X_ACCESS_SECRET", "IRC_SASL_PASSWORD", "IRC_OPS_KEY"} {
		vars[k] = "sample-" + strings.ToLower(k)
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	l := config.Loader{LookupEnv: lookup, Stdout: io.Discard}
	cfg, err := l.Load("outagecast.sample.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"status-page", "console", "status-webhook", "subscribers", "email", "x", "irc"}, channelNames(cfg.Channels))
	assert.Equal(t, config.Store{Kind: config.StoreBolt, Path: "outagecast.db", Key: "state", Line: 53}, cfg.Store)

	// The channels the sample shows commented out load too, once
	// uncommented with their variables set.
	raw, err := os.ReadFile("outagecast.sample.yaml")
	require.NoError(t, err)
	entry := regexp.MustCompile(`(?m)^  # (- kind: |  [a-z_]+: )`)
	full := entry.ReplaceAllString(string(raw), "  $1")
	vars["SLACK_BOT_TOKEN"] = "xoxb-123-456-sample"
	for _, k := range []string{"STATUSPAGE_API_KEY", "MASTODON_TOKEN", "BLUESKY_APP_PASSWORD", "MATRIX_ACCESS_TOKEN"} {
		vars[k] = "sample-" + strings.ToLower(k)
	}
	vars["DISCORD_WEBHOOK_URL"] = "https://discord.com/api/webhooks/123456789012345678/sample-token"
	vars["TEAMS_WORKFLOW_URL"] = "https://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s1g"
	vars["GOOGLE_CHAT_WEBHOOK_URL"] = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k3y&token=t0k"
	vars["TELEGRAM_BOT_TOKEN"] = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	cfg, err = l.Parse(strings.NewReader(full), "outagecast.sample.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"status-page", "statuspageio", "console", "status-webhook", "subscribers", "email", "x", "irc",
		"slack", "discord", "teams", "googlechat", "mastodon", "bluesky", "telegram", "matrix"}, channelNames(cfg.Channels))

	delete(vars, "SMTP_PASSWORD")
	_, err = l.Load("outagecast.sample.yaml")
	require.ErrorContains(t, err, "environment variable SMTP_PASSWORD is not set")
}

// A user filling in the sample learns every variable it needs from one
// run: with none set, the error names each one the file refers to without
// a default, those of the channels shown commented out too once uncommented.
func TestSampleConfigNamesEveryUnsetVariable(t *testing.T) {
	raw, err := os.ReadFile("outagecast.sample.yaml")
	require.NoError(t, err)
	entry := regexp.MustCompile(`(?m)^  # (- kind: |  [a-z_]+: )`)
	full := entry.ReplaceAllString(string(raw), "  $1")
	ref := regexp.MustCompile(`(?m)^[^#\n]*?\$\{([A-Z0-9_]+)\}`)
	l := config.Loader{LookupEnv: func(string) (string, bool) { return "", false }, Stdout: io.Discard}
	for name, text := range map[string]string{"as shipped": string(raw), "uncommented": full} {
		_, err := l.Parse(strings.NewReader(text), "outagecast.sample.yaml")
		require.Error(t, err, name)
		assert.NotContains(t, err.Error(), "more", name)
		refs := ref.FindAllStringSubmatch(text, -1)
		require.NotEmpty(t, refs, name)
		for _, m := range refs {
			assert.Contains(t, err.Error(), "environment variable "+m[1]+" is not set", name)
		}
	}
}

func TestParseNext(t *testing.T) {
	zone := time.FixedZone("CET", 3600)
	now := time.Date(2025, 3, 10, 13, 0, 0, 0, zone) // 12:00 UTC
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "+30m", want: time.Date(2025, 3, 10, 12, 30, 0, 0, time.UTC)},
		{in: "+1h30m", want: time.Date(2025, 3, 10, 13, 30, 0, 0, time.UTC)},
		{in: "14:30", want: time.Date(2025, 3, 10, 13, 30, 0, 0, time.UTC)},
		{in: "9:15", want: time.Date(2025, 3, 11, 8, 15, 0, 0, time.UTC)}, // passed: tomorrow
		{in: "13:00", want: time.Date(2025, 3, 11, 12, 0, 0, 0, time.UTC)},
		{in: "2025-03-10T18:00:00+02:00", want: time.Date(2025, 3, 10, 16, 0, 0, 0, time.UTC)},
		// RFC 3339 (section 5.6) allows a lowercase t and z.
		{in: "2025-03-10t18:00:00z", want: time.Date(2025, 3, 10, 18, 0, 0, 0, time.UTC)},
		{in: "2025-03-10t18:00:00.5+02:00", want: time.Date(2025, 3, 10, 16, 0, 0, 500e6, time.UTC)},
		{in: "2025-03-10T18:00:00z", want: time.Date(2025, 3, 10, 18, 0, 0, 0, time.UTC)},
		{in: "2024-01-01t00:00:00z", err: `"2024-01-01t00:00:00z": in the past`},
		{in: "+0s", err: "want a positive duration"},
		{in: "+-5m", err: "want a positive duration"},
		// Beyond time.Duration: too large, not malformed.
		{in: "+1000000000000h", err: `"+1000000000000h": too large a duration, more than 90 days after now (+2160h, broadcast.MaxNextUpdateAhead)`},
		{in: "+1h99999999999999999999ns", err: "too large a duration, more than 90 days after now"},
		{in: "+-1000000000000h", err: "want a positive duration"},
		{in: "+1000000000000x", err: "want a positive duration"},
		{in: "30m", err: "want +DURATION"},
		{in: "25:00", err: "want +DURATION"},
		{in: "2024-01-01T00:00:00Z", err: "in the past"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseNext(tt.in, now)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				assert.ErrorContains(t, err, "-next: ")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestUpdateFromFlags(t *testing.T) {
	o := &options{title: "CDN", status: "identified", impact: "minor", body: "-",
		components: listFlag{"CDN=partial_outage", "API (EU) = degraded_performance"},
		overrides:  listFlag{"x=Short = sweet"}, incident: "inc", id: "upd"}
	u, err := o.update(strings.NewReader("line one\nline two\n\n"), time.Now())
	require.NoError(t, err)
	assert.Equal(t, broadcast.Update{ID: "upd", IncidentID: "inc", Title: "CDN", Status: broadcast.StatusIdentified,
		Impact: broadcast.ImpactMinor, Body: "line one\nline two",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage},
			{Name: "API (EU)", Status: broadcast.ComponentDegraded}},
		Overrides: map[string]string{"x": "Short = sweet"}}, u)

	o.body = "-"
	_, err = o.update(strings.NewReader("\xff\xfe"), time.Now())
	require.ErrorContains(t, err, "-body: standard input is not UTF-8 text")

	o.body, o.title = "", strings.Repeat("t", 300)
	_, err = o.update(nil, time.Now())
	require.ErrorContains(t, err, "-title: 300 characters, more than 255")

	o.title, o.overrides = "CDN", listFlag{"x=a", "x=b"}
	_, err = o.update(nil, time.Now())
	require.ErrorContains(t, err, "-override: x: given twice")
}

func TestProgressPlain(t *testing.T) {
	var w bytes.Buffer
	upper := func(channel, s string) string { return channel + "/" + strings.ToUpper(s) }
	p := newProgress(&w, false, []string{"x", "hooks"}, upper)
	p.begin()
	for _, e := range []broadcast.Event{
		{Kind: broadcast.EventAttempt, Channel: "x", Attempt: 1},
		{Kind: broadcast.EventRetry, Channel: "x", Attempt: 1, Delay: 2 * time.Second, Err: errors.New("503 service\nunavailable")},
		{Kind: broadcast.EventAttempt, Channel: "x", Attempt: 2},
		{Kind: broadcast.EventDelivered, Channel: "x", Attempt: 2, Receipt: broadcast.Receipt{URL: "https://x.com/i/web/status/1"}},
		{Kind: broadcast.EventSkipped, Channel: "hooks"},
		{Kind: broadcast.EventFailed, Channel: "other", Attempt: 1, Err: errors.New("not ours")},
	} {
		p.event(e)
	}
	assert.Equal(t, `x: sending
x: retrying in 2s: x/503 SERVICE UNAVAILABLE
x: sending (attempt 2)
x: delivered (attempt 2) https://x.com/i/web/status/1
hooks: skipped (already delivered)
`, w.String())
}

// The progress of -retract speaks of deleting: "delivered" with the
// incident page's link, on a channel whose post was just deleted, reads as
// if the update had been posted again.
func TestProgressRetracting(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w, false, []string{"status-page", "hooks", "console"}, func(_, s string) string { return s })
	p.retracting = true
	p.begin()
	for _, e := range []broadcast.Event{
		{Kind: broadcast.EventAttempt, Channel: "status-page", Attempt: 1},
		{Kind: broadcast.EventDelivered, Channel: "status-page", Attempt: 1, Receipt: broadcast.Receipt{URL: "https://status.example.com/incidents/42.html"}},
		{Kind: broadcast.EventAttempt, Channel: "hooks", Attempt: 1},
		{Kind: broadcast.EventRetry, Channel: "hooks", Attempt: 1, Delay: time.Second, Err: errors.New("503")},
		{Kind: broadcast.EventAttempt, Channel: "hooks", Attempt: 2},
		{Kind: broadcast.EventDelivered, Channel: "hooks", Attempt: 2},
		{Kind: broadcast.EventFailed, Channel: "console", Attempt: 1, Err: broadcast.ErrNotSupported},
	} {
		p.event(e)
	}
	assert.Equal(t, `status-page: deleting
status-page: deleted
hooks: deleting
hooks: retrying in 1s: 503
hooks: deleting (attempt 2)
hooks: deleted (attempt 2)
console: cannot be deleted on this platform
`, w.String())
}

// A channel still retrying when -timeout ran out reads "timed out" on its
// progress line, as in the summary table, not "failed" (which says the
// channel itself refused), as Ctrl-C reads "interrupted" in both.
func TestProgressTimedOut(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w, false, []string{"hooks", "x"}, func(_, s string) string { return s })
	last := errors.New("connection refused")
	p.event(broadcast.Event{Kind: broadcast.EventFailed, Channel: "hooks", Attempt: 3,
		Err: fmt.Errorf("%w; last attempt: %w", context.DeadlineExceeded, last)})
	p.event(broadcast.Event{Kind: broadcast.EventFailed, Channel: "x", Attempt: 1,
		Err: fmt.Errorf("%w; last attempt: %w", context.Canceled, last)})
	assert.Equal(t, "hooks: timed out after 3 attempts: context deadline exceeded; last attempt: connection refused\n"+
		"x: interrupted after 1 attempt\n", w.String())
}

// The summary and a retraction's table say "timed out" or "interrupted"
// only for a channel the end of the run stopped (its error wraps the
// run's context error), not for one that had failed for good before.
func TestOutcomeOfAStoppedRun(t *testing.T) {
	refused := &broadcast.DeliveryError{Channel: "x", Attempts: 1, Err: broadcast.Permanent(errors.New("401 Unauthorized"))}
	last := errors.New("connection refused")
	a := &app{hide: func(s string) string { return s }, explain: func(_, s string) string { return s }}
	for _, tt := range []struct {
		stopped, err error
		want         string
	}{
		{context.DeadlineExceeded, refused, outcomeFailed},
		{context.DeadlineExceeded, fmt.Errorf("%w; last attempt: %w", context.DeadlineExceeded, last), outcomeTimedOut},
		{context.Canceled, refused, outcomeFailed},
		{context.Canceled, fmt.Errorf("%w; last attempt: %w", context.Canceled, last), outcomeInterrupted},
		{nil, last, outcomeFailed},
	} {
		r := broadcast.Result{Channel: "x", Attempts: 1, Err: tt.err}
		assert.Equal(t, tt.want, summary{stopped: tt.stopped}.outcome(r), "%v, %v", tt.stopped, tt.err)
		want := tt.want
		if want == outcomeFailed {
			want = retractFailed
		}
		got, _ := a.retracted(r, tt.stopped)
		assert.Equal(t, want, got, "retraction: %v, %v", tt.stopped, tt.err)
	}
}

func TestProgressLive(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w, true, []string{"x", "hooks"}, func(_, s string) string { return s })
	p.begin()
	assert.Equal(t, "  x      waiting\n  hooks  waiting\n", w.String())
	w.Reset()
	p.event(broadcast.Event{Kind: broadcast.EventFailed, Channel: "x", Attempt: 3, Err: errors.New("401 Unauthorized")})
	// Up two lines to x's, clear it, rewrite it, down two lines again.
	assert.Equal(t, "\x1b[2A\r\x1b[2K  x      failed after 3 attempts: 401 Unauthorized\x1b[2B\r", w.String())
}

// A -correct's line says "edited" where the event says the post was
// edited in place, "delivered" where the correction was posted anew.
func TestProgressLiveCorrection(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w, true, []string{"x", "status-page"}, func(_, s string) string { return s })
	p.begin()
	w.Reset()
	p.event(broadcast.Event{Kind: broadcast.EventDelivered, Channel: "status-page", Attempt: 1, Edited: true,
		Receipt: broadcast.Receipt{URL: "https://status.example.com/incidents/cdn.html"}})
	assert.Equal(t, "\x1b[1A\r\x1b[2K  status-page  edited https://status.example.com/incidents/cdn.html\x1b[1B\r", w.String())
	w.Reset()
	p.event(broadcast.Event{Kind: broadcast.EventDelivered, Channel: "x", Attempt: 1})
	assert.Equal(t, "\x1b[2A\r\x1b[2K  x            delivered\x1b[2B\r", w.String())
}

func TestFormatDuration(t *testing.T) {
	for in, want := range map[time.Duration]string{
		0: "0s", 300 * time.Microsecond: "<1ms", 250*time.Millisecond + 300*time.Microsecond: "250ms",
		1549 * time.Millisecond: "1.5s", 90*time.Second + 400*time.Millisecond: "1m30s",
	} {
		assert.Equal(t, want, formatDuration(in))
	}
}

func TestCut(t *testing.T) {
	assert.Equal(t, "héllo", cut("héllo", 5))
	assert.Equal(t, "hé…", cut("héllo", 3))
	// A terminal shows CJK characters and most emoji two columns wide,
	// and a combining mark in the column of the letter before it.
	assert.Equal(t, "東京…", cut("東京リージョン障害", 6))
	assert.Equal(t, "東京リージョン障害", cut("東京リージョン障害", 18))
	assert.Equal(t, "été", cut("été", 3))
	assert.Equal(t, "🔥…", cut("🔥🔥🔥", 4))
}

func TestTypedID(t *testing.T) {
	u := broadcast.Update{Title: "CDN", Status: broadcast.StatusIdentified}
	assert.Equal(t, u.WithDefaults(time.Now()).ID, typedID(u, ""), "without -next, the library's ID")

	at := func(next string, resolved time.Time) string {
		v := u
		v.NextUpdate = resolved
		return typedID(v, next)
	}
	t0 := time.Date(2025, 3, 10, 12, 30, 0, 0, time.UTC)
	id := at("+30m", t0)
	assert.Regexp(t, `^u_[0-9a-f]{32}$`, id)
	assert.Equal(t, id, at("+30m", t0.Add(time.Hour)), "the text counts, not the resolved time")
	assert.NotEqual(t, id, at("+45m", t0))
	assert.NotEqual(t, id, typedID(u, ""))
	v := u
	v.Body = "more"
	v.NextUpdate = t0
	assert.NotEqual(t, id, typedID(v, "+30m"), "the rest of the content counts too")
}

type fakePage struct{ broadcast.Channel }

func (fakePage) IncidentURL(u broadcast.Update) string {
	return "https://status.example.com/incidents/" + u.IncidentID + ".html"
}

// Without -url, every channel links to the incident's page on the status
// page; a -url given wins.
func TestLinkToPage(t *testing.T) {
	page := fakePage{broadcast.ChannelFunc("status-page", nil)}
	other := broadcast.ChannelFunc("x", nil)
	a := &app{opts: &options{}, now: time.Now}
	link := func(u *broadcast.Update, channels ...broadcast.Channel) {
		b, err := broadcast.New(channels, broadcast.Options{})
		require.NoError(t, err)
		defer b.Close()
		a.linkToPage(context.Background(), b, &config.File{Channels: channels}, u)
	}
	u := broadcast.Update{IncidentID: "cdn-42", Title: "T", Status: broadcast.StatusInvestigating}
	link(&u, other, page)
	assert.Equal(t, "https://status.example.com/incidents/cdn-42.html", u.URL)
	u.URL = "https://example.com/given"
	link(&u, page)
	assert.Equal(t, "https://example.com/given", u.URL)
	u.URL = ""
	link(&u, other)
	assert.Empty(t, u.URL)
}

// A state file that is not a store (damaged, or another file named by
// mistake) fails the run (exit 1: the command line is right), with an
// error naming the -state flag or the configuration's state key.
func TestDamagedStateNamesIt(t *testing.T) {
	damaged := filepath.Join(t.TempDir(), "notdb.db")
	require.NoError(t, os.WriteFile(damaged, []byte("not a bolt database, but long enough to look at its header bytes"), 0o600))
	r := announce(t, context.Background(), "", "-title", "T", "-status", "resolved", "-state", damaged)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "announce: -state: "), r.stderr)
	assert.Contains(t, r.stderr, damaged)
	assert.NotContains(t, r.stdout, "Resolved: T", "nothing sent")

	cfg := writeConfig(t, "state: "+damaged+"\nchannels:\n  - type: console\n")
	r = announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "announce: "+cfg+":1: state: "), r.stderr)
	assert.Contains(t, r.stderr, damaged)

	// Written as a store, the error names the key the file has.
	cfg = writeConfig(t, "store: {kind: bolt, path: "+damaged+"}\nchannels:\n  - type: console\n")
	r = announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "announce: "+cfg+":1: store.path: "), r.stderr)
	assert.Contains(t, r.stderr, damaged)
}

// A state file in a directory that does not exist is a bad configuration
// (exit 2, naming the file, line and state key, or the -state flag), not
// a failed run.
func TestStateInMissingDirectory(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nodir", "state.db")
	cfg := writeConfig(t, "state: "+missing+"\nchannels:\n  - type: console\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, cfg+":1: state: directory "+filepath.Dir(missing)+" does not exist")
	assert.NotContains(t, r.stdout, "Resolved: T", "nothing sent")

	cfg = writeConfig(t, "store:\n  kind: bolt\n  path: "+missing+"\nchannels:\n  - type: console\n")
	r = announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, cfg+":3: store.path: directory "+filepath.Dir(missing)+" does not exist")

	r = announce(t, context.Background(), "", "-title", "T", "-status", "resolved", "-state", missing)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "announce: -state: directory "+filepath.Dir(missing)+" does not exist")
}

// A state path that is a directory (-state /var/lib/outagecast, meaning
// "keep it there") is a mistake in the flag or configuration too, exit 2,
// saying what to give, also for a dry run; before, it exited 1, the
// status of a state file that would not open, with bbolt's "is a
// directory".
func TestStateIsADirectory(t *testing.T) {
	dir := t.TempDir()
	for _, mode := range [][]string{nil, {"-dry-run"}} {
		args := append([]string{"-title", "T", "-status", "resolved", "-state", dir}, mode...)
		r := announce(t, context.Background(), "", args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", mode, r.stderr)
		assert.Contains(t, r.stderr, "announce: -state: "+dir+" is a directory: give the state file's path, as "+
			filepath.Join(dir, "outagecast.db"), mode)
		assert.NotContains(t, r.stdout, "Resolved: T", "%v: nothing sent", mode)
	}
	cfg := writeConfig(t, "state: "+dir+"\nchannels:\n  - type: console\n")
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "resolved")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, cfg+":1: state: "+dir+" is a directory")
}

// The summary prints an ID a shell reads back whole, so that it can be
// copied into -correct or -retract: one with a space or a quote in single
// quotes.
func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"u_01c646d3":  "u_01c646d3",
		"cdn-errors":  "cdn-errors",
		"a b":         "'a b'",
		"it's":        `'it'\''s'`,
		"$(rm -rf ~)": "'$(rm -rf ~)'",
		"":            "''",
		"=deploy":     "'=deploy'",
		"a=b":         "a=b",
	} {
		assert.Equal(t, want, shellWord(in), "%q", in)
	}
}

// A -next absurdly far ahead (+1000000h: the year 2140; a year mistyped)
// is refused by the library's rule for NextUpdate, naming -next, before
// anything is sent or previewed; up to broadcast.MaxNextUpdateAhead passes.
func TestNextFarAheadRefused(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, "channels:\n"+hookConfig(t, h))
	for _, next := range []string{"+1000000h", "+2161h", time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)} {
		for _, mode := range [][]string{nil, {"-dry-run"}} {
			args := append([]string{"-config", cfg, "-title", "T", "-status", "investigating", "-next", next}, mode...)
			r := announce(t, context.Background(), "", args...)
			assert.Equal(t, exitUsage, r.code, "%s %v: %s", next, mode, r.stderr)
			assert.Contains(t, r.stderr, "announce: -next: ")
			assert.Contains(t, r.stderr, "more than 90 days after now (")
			assert.Empty(t, r.stdout, "nothing previewed")
		}
	}
	assert.Empty(t, h.updates(), "nothing sent")
	r := announce(t, context.Background(), "", "-config", cfg, "-title", "T", "-status", "investigating", "-next", "+2159h")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, h.updates(), 1)
}
