package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flag given with an empty value, most likely "$VAR" of a variable not
// set, is refused, naming the flag: taken as not given, -correct "$ID"
// would post the corrected text as a new update, -retract "$ID" would ask
// for a title, and -state "$STATE" would keep no state, so that the same
// command again would post everything twice.
func TestGivenEmptyExits2(t *testing.T) {
	h, cfg, state, _ := sentToHook(t, "-title", "T", "-status", "identified", "-body", "Wrong text.")
	send := []string{"-config", cfg, "-state", state, "-title", "T", "-status", "identified"}
	for _, name := range []string{"correct", "retract", "state", "config", "id", "incident", "url", "impact", "next"} {
		t.Run(name, func(t *testing.T) {
			// The flag given once, empty: given twice, with a value and
			// empty, it is refused as given twice.
			args := append(withoutFlag(send, name), "-body", "Right text.", "-"+name, "")
			if name == "retract" {
				args = []string{"-config", cfg, "-state", state, "-retract", " "}
			}
			r := announce(t, context.Background(), "", args...)
			assert.Equal(t, exitUsage, r.code, r.stdout)
			assert.Contains(t, r.stderr, "announce: -"+name+": empty (")
			require.Len(t, h.updates(), 1, "nothing sent")
		})
	}
}

// A dry run with a state file it cannot read (damaged, or locked by a
// send still running) says so, naming -state or the configuration's key,
// and exits 1 as the send would: it cannot tell which channels delivered
// the update before, and a preview of every channel as if none had would
// pass for a check that the send is fine.
func TestDryRunWithUnreadableState(t *testing.T) {
	damaged := filepath.Join(t.TempDir(), "notdb.db")
	require.NoError(t, os.WriteFile(damaged, []byte("not a bolt database, but long enough to look at its header bytes"), 0o600))
	r := announce(t, context.Background(), "", "-dry-run", "-title", "T", "-status", "resolved", "-state", damaged)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "announce: -state: ")
	assert.Contains(t, r.stderr, damaged)
	assert.Contains(t, r.stdout, "Resolved: T", "the preview is still shown")

	cfg := writeConfig(t, "state: "+damaged+"\nchannels:\n  - type: console\n")
	r = announce(t, context.Background(), "", "-config", cfg, "-dry-run", "-json", "-title", "T", "-status", "resolved")
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "announce: "+cfg+":1: state: ")
	assert.True(t, json.Valid([]byte(r.stdout)), r.stdout)
}

// -check, run before a send to see that it would work, says so too when
// the state file will not open (damaged, or locked by a send still
// running), and exits 1: it checked the state directory, and passed a
// state file the send then failed on. A state file not made yet is fine.
func TestCheckWithUnreadableState(t *testing.T) {
	damaged := filepath.Join(t.TempDir(), "notdb.db")
	require.NoError(t, os.WriteFile(damaged, []byte("not a bolt database, but long enough to look at its header bytes"), 0o600))
	r := announce(t, context.Background(), "", "-check", "-state", damaged)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "announce: -state: ")
	assert.Contains(t, r.stderr, damaged)
	assert.Contains(t, r.stderr, "a send with it would fail")
	assert.Contains(t, r.stdout, "console", "the channels are still checked")

	cfg := writeConfig(t, "state: "+damaged+"\nchannels:\n  - type: console\n")
	r = announce(t, context.Background(), "", "-config", cfg, "-check", "-json")
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "announce: "+cfg+":1: state: ")
	assert.True(t, json.Valid([]byte(r.stdout)), r.stdout)

	fresh := filepath.Join(t.TempDir(), "new.db")
	r = announce(t, context.Background(), "", "-check", "-state", fresh)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NoFileExists(t, fresh, "-check makes no state file")
}

// Interrupting while "-body -" waits for standard input ends the run at
// once, as interrupted, instead of waiting for the input to end and then
// saying it was empty.
func TestInterruptWhileReadingBody(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close() // lets the read end
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-title", "T", "-status", "investigating", "-body", "-"}, pr, &stdout, &stderr)
	}()
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitInterrupted, code)
		assert.Equal(t, "announce: interrupted\n", stderr.String())
		assert.Empty(t, stdout.String(), "nothing sent")
	case <-time.After(time.Minute):
		t.Fatal("the run went on reading standard input after it was interrupted")
	}
}

// A retraction interrupted (or stopped by -timeout) says so, per channel
// and on standard error, as a send does, rather than that it failed.
func TestRetractInterrupted(t *testing.T) {
	h := newHookReceiver(t)
	cfg := writeConfig(t, "retry: {initial_interval: 10m, max_elapsed: 1h}\nchannels:\n"+hookConfig(t, h))
	state := filepath.Join(t.TempDir(), "state.db")
	sent := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-title", "T", "-status", "resolved")
	require.Equal(t, exitOK, sent.code, sent.stderr)
	id := updateIDOf(t, sent.stdout)

	h.fail(http.StatusServiceUnavailable, "busy")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- announce(t, ctx, "", "-config", cfg, "-state", state, "-retract", id) }()
	// The deletion fails; the channel then waits 10 minutes to retry.
	require.Eventually(t, func() bool { return h.requests() > 1 }, time.Minute, 5*time.Millisecond)
	cancel()
	select {
	case r := <-done:
		assert.Equal(t, exitInterrupted, r.code)
		assert.Regexp(t, `hooks +interrupted`, r.stdout)
		assert.Contains(t, r.stderr, "announce: interrupted")
	case <-time.After(time.Minute):
		t.Fatal("run did not return after the context was cancelled")
	}

	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-retract", id, "-timeout", "50ms", "-json")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stdout, `"outcome": "timed out"`)
	assert.Contains(t, r.stderr, "announce: gave up after -timeout 50ms")
}

// A correction given the -id of the update it corrects is told to leave
// -id out: given empty, -id is an error.
func TestCorrectWithTheOriginalsIDSaysLeaveIDOut(t *testing.T) {
	h, cfg, state, id := sentToHook(t, "-title", "T", "-status", "identified", "-body", "Wrong text.")
	r := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-correct", id, "-id", id,
		"-title", "T", "-status", "identified", "-body", "Right text.")
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, "-id: the same as the update it corrects; leave -id out or give the correction an -id of its own")
	assert.Len(t, h.updates(), 1, "nothing sent")
}

// -check and -retract use none of the update's flags: one given with them,
// empty or not, is an error naming it, as an empty -impact or -next was
// already, instead of an empty -body, -advice or -title passing unseen
// (and a -title given to a retraction seeming to do something).
func TestFlagsNotUsedByCheckOrRetract(t *testing.T) {
	h, cfg, state, id := sentToHook(t, "-title", "T", "-status", "identified")
	for _, mode := range [][]string{{"-check"}, {"-retract", id}} {
		for _, f := range []struct{ name, value string }{
			{"body", ""}, {"advice", ""}, {"title", ""}, {"title", "T"}, {"status", "resolved"}, {"impact", ""},
			{"next", "+30m"}, {"component", "CDN=major_outage"}, {"override", "hooks=x"}, {"incident", "cdn"}, {"id", "u_1"},
			{"url", "https://status.example.com/"},
		} {
			t.Run(mode[0]+" "+f.name+"="+f.value, func(t *testing.T) {
				args := append([]string{"-config", cfg, "-state", state}, mode...)
				r := announce(t, context.Background(), "", append(args, "-"+f.name, f.value)...)
				assert.Equal(t, exitUsage, r.code, r.stdout)
				assert.Contains(t, r.stderr, "announce: -"+f.name+": not used by "+mode[0])
				assert.Empty(t, r.stdout)
			})
		}
	}
	assert.Len(t, h.updates(), 1, "nothing sent")
}

// withoutFlag returns args without the flag name and its value.
func withoutFlag(args []string, name string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "-"+name {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}
