package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clockedRun runs the program with the clock at *now.
func clockedRun(t *testing.T, now *time.Time, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runAt(context.Background(), func() time.Time { return *now }, args,
		strings.NewReader(""), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// Re-running a command is the same update although -next +30m resolves to
// a later time: the update's ID comes from the flags as typed.
func TestRerunWithRelativeNextSendsNothingTwice(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+xConfig(t, x))
	state := filepath.Join(t.TempDir(), "state.db")
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	send := func(next string) result {
		return clockedRun(t, &now, "-config", cfg, "-state", state, "-incident", "cdn-errors",
			"-title", "Elevated CDN errors", "-status", "investigating", "-next", next)
	}

	first := send("+30m")
	require.Equal(t, exitOK, first.code, first.stderr)
	require.Len(t, h.updates(), 1)
	assert.Equal(t, time.Date(2025, 3, 10, 12, 30, 0, 0, time.UTC), h.updates()[0].NextUpdate,
		"the update carries the resolved time")

	now = now.Add(2*time.Minute + 7*time.Second)
	again := send("+30m")
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Regexp(t, `hooks +skipped +0 `, again.stdout)
	assert.Regexp(t, `x +skipped +0 `, again.stdout)
	assert.Contains(t, again.stderr, "nothing was sent")
	assert.Len(t, h.updates(), 1, "the re-run posts nothing")
	assert.Len(t, x.sent(), 1)

	later := send("+45m")
	require.Equal(t, exitOK, later.code, later.stderr)
	assert.Regexp(t, `hooks +delivered +1 `, later.stdout, "another -next is another update")
	require.Len(t, h.updates(), 2)
	assert.NotEqual(t, h.updates()[0].ID, h.updates()[1].ID)
	assert.Len(t, x.sent(), 2)
}

// After a failure, re-running the command reaches only the channel that
// failed, with the -next time resolved anew.
func TestRerunAfterFailureReachesOnlyTheFailedChannel(t *testing.T) {
	x := newFakeX(t)
	h := newHookReceiver(t)
	h.fail(http.StatusServiceUnavailable, "busy")
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+xConfig(t, x))
	state := filepath.Join(t.TempDir(), "state.db")
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	args := []string{"-config", cfg, "-state", state, "-title", "Elevated CDN errors",
		"-status", "identified", "-next", "+1h"}

	first := clockedRun(t, &now, args...)
	require.Equal(t, exitFailed, first.code)
	assert.Regexp(t, `hooks +failed +3 `, first.stdout)
	require.Len(t, x.sent(), 1)

	h.fail(0, "")
	now = now.Add(5 * time.Minute)
	again := clockedRun(t, &now, args...)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Regexp(t, `x +skipped +0 `, again.stdout)
	assert.Regexp(t, `hooks +delivered +1 `, again.stdout)
	assert.Len(t, x.sent(), 1, "X is not posted to twice")
	require.Len(t, h.updates(), 1)
	assert.Equal(t, time.Date(2025, 3, 10, 13, 5, 0, 0, time.UTC), h.updates()[0].NextUpdate)
}

// A channel that reached some of its targets says what running the command
// again does: with -state it reaches only the pending ones; without, nothing
// remembers the delivered ones, so it posts to them again, and the summary
// must not promise otherwise.
func TestPartialFailureSaysWhatARerunDoes(t *testing.T) {
	for _, durable := range []bool{true, false} {
		t.Run(map[bool]string{true: "with -state", false: "without -state"}[durable], func(t *testing.T) {
			first, up := failAndRerun(t, durable, func(up, down string) string {
				return "  - type: webhook\n    name: hooks\n    endpoints:\n" +
					"      - {url: " + up + "/in, secret: \"${WEBHOOK_SECRET}\"}\n" +
					"      - {url: " + down + "/in, secret: \"${WEBHOOK_SECRET}\"}\n"
			})
			if durable {
				assert.Contains(t, first.stderr, "1 target delivered now, 1 pending: the same command again reaches only those")
				assert.Len(t, up.updates(), 1, "the re-run skips the endpoint that has it")
				return
			}
			assert.NotContains(t, first.stderr, "reaches only those")
			assert.Contains(t, first.stderr, "without -state")
			assert.Len(t, up.updates(), 2, "what the message says: the re-run posts to it again")
		})
	}
}

// failAndRerun runs announce twice, with -state when durable, to the
// channels that channels writes (the config's list under "channels:")
// given the URLs of two webhook receivers, up and down, down failing
// every delivery: it returns what the first run said, up having got one
// update from it, and up, after the second run.
func failAndRerun(t *testing.T, durable bool, channels func(up, down string) string) (first result, up *hookReceiver) {
	t.Helper()
	up, down := newHookReceiver(t), newHookReceiver(t)
	down.fail(http.StatusServiceUnavailable, "busy")
	t.Setenv("WEBHOOK_SECRET", testSecret)
	cfg := writeConfig(t, fastRetry+"channels:\n"+channels(up.URL, down.URL))
	args := []string{"-config", cfg, "-title", "Elevated CDN errors", "-status", "investigating"}
	if durable {
		args = append(args, "-state", filepath.Join(t.TempDir(), "state.db"))
	}
	first = announce(t, context.Background(), "", args...)
	require.Equal(t, exitFailed, first.code, first.stderr)
	require.Len(t, up.updates(), 1)
	again := announce(t, context.Background(), "", args...)
	require.Equal(t, exitFailed, again.code, again.stderr)
	return first, up
}

// A channel that reached none of its targets says so, not "0 targets
// delivered now", and not what a re-run does for the targets it
// reached: with -state or without, a re-run tries the pending one.
func TestNoTargetReachedSaysSo(t *testing.T) {
	for _, durable := range []bool{true, false} {
		t.Run(map[bool]string{true: "with -state", false: "without -state"}[durable], func(t *testing.T) {
			down := newHookReceiver(t)
			down.fail(http.StatusServiceUnavailable, "busy")
			t.Setenv("WEBHOOK_SECRET", testSecret)
			cfg := writeConfig(t, fastRetry+"channels:\n  - type: webhook\n    name: hooks\n    endpoints:\n"+
				"      - {url: "+down.URL+"/in, secret: \"${WEBHOOK_SECRET}\"}\n")
			args := []string{"-config", cfg, "-title", "Elevated CDN errors", "-status", "investigating"}
			if durable {
				args = append(args, "-state", filepath.Join(t.TempDir(), "state.db"))
			}
			res := announce(t, context.Background(), "", args...)
			require.Equal(t, exitFailed, res.code, res.stderr)
			assert.Contains(t, res.stderr, "announce: hooks: no target delivered, 1 pending: the same command again tries it\n")
			assert.NotContains(t, res.stderr, "delivered now")
			assert.NotContains(t, res.stderr, "without -state")
		})
	}
}

// An endpoint that refused the update for good (a wrong secret) gets it
// when the same command runs again with the secret put right; the
// endpoint that had it does not get it twice.
func TestRerunReachesTheEndpointThatRefused(t *testing.T) {
	up, wrong := newHookReceiver(t), newHookReceiver(t)
	t.Setenv("WEBHOOK_SECRET", testSecret)
	t.Setenv("OTHER_SECRET", "whsec_"+base64.StdEncoding.EncodeToString([]byte("not the receiver's secret 123456")))
	cfg := writeConfig(t, fastRetry+"channels:\n  - type: webhook\n    name: hooks\n    endpoints:\n"+
		"      - {url: "+up.URL+"/in, secret: \"${WEBHOOK_SECRET}\"}\n"+
		"      - {url: "+wrong.URL+"/in, secret: \"${OTHER_SECRET}\"}\n")
	args := []string{"-config", cfg, "-title", "Elevated CDN errors", "-status", "investigating",
		"-state", filepath.Join(t.TempDir(), "state.db")}

	first := announce(t, context.Background(), "", args...)
	require.Equal(t, exitFailed, first.code, first.stderr)
	assert.Contains(t, first.stderr, "1 target delivered now, 1 refused: once that is put right, "+
		"the same command again tries only those")
	require.Len(t, up.updates(), 1)
	require.Empty(t, wrong.updates())

	t.Setenv("OTHER_SECRET", testSecret)
	again := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Len(t, wrong.updates(), 1, "the endpoint that refused gets it now")
	assert.Len(t, up.updates(), 1, "the endpoint that had it does not get it again")
}
