package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
)

// The dry run of an update sent before, which a channel missed while a
// newer update of the incident reached it since, agrees with the send:
// that channel says it is superseded (a send posts nothing there), and the
// texts carry the Time the update was first sent with, which a send of it
// again takes, not the time of the dry run.
func TestDryRunOfAResendAgreesWithTheSend(t *testing.T) {
	fast, slow := newHookReceiver(t), newHookReceiver(t)
	t.Setenv("WEBHOOK_SECRET", testSecret)
	cfg := writeConfig(t, fastRetry+"channels:\n"+
		fmt.Sprintf("  - type: webhook\n    name: fast\n    url: %s/in\n    secret: ${WEBHOOK_SECRET}\n", fast.URL)+
		fmt.Sprintf("  - type: webhook\n    name: slow\n    url: %s/in\n    secret: ${WEBHOOK_SECRET}\n", slow.URL))
	state := filepath.Join(t.TempDir(), "state.db")
	older := []string{"-config", cfg, "-state", state, "-incident", "cdn", "-title", "Elevated CDN errors",
		"-status", "investigating", "-body", "Some requests fail."}

	slow.fail(http.StatusServiceUnavailable, "busy")
	first := announce(t, context.Background(), "", older...)
	require.Equal(t, exitFailed, first.code, first.stderr)
	require.Len(t, fast.updates(), 1)
	sentAt := fast.updates()[0].Time

	slow.fail(0, "")
	newer := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "identified", "-body", "A bad deploy.")
	require.Equal(t, exitOK, newer.code, newer.stderr)

	dry := announce(t, context.Background(), "", append(older, "-dry-run")...)
	require.Equal(t, exitOK, dry.code, dry.stderr)
	again := announce(t, context.Background(), "", older...)
	require.Equal(t, exitOK, again.code, again.stderr)
	require.Regexp(t, `slow +superseded`, again.stdout, "the send posts nothing there")
	require.Len(t, slow.updates(), 1, "only the newer update reached it")

	assert.Contains(t, dry.stdout, "--- fast: not sent: delivered before")
	assert.Contains(t, dry.stdout, "--- slow: not sent: superseded", "the dry run agrees with the send")

	jdry := announce(t, context.Background(), "", append(older, "-dry-run", "-json")...)
	require.Equal(t, exitOK, jdry.code, jdry.stderr)
	var previews []jsonPreview
	require.NoError(t, json.Unmarshal([]byte(jdry.stdout), &previews))
	require.Len(t, previews, 2)
	for _, p := range previews {
		assert.False(t, p.WouldSend, p.Channel)
		var payload webhook.Payload
		require.NoError(t, json.NewDecoder(strings.NewReader(p.Text)).Decode(&payload), p.Channel)
		assert.Equal(t, sentAt, payload.Data.Time, "%s: the Time a send of it again takes", p.Channel)
		assert.True(t, payload.Timestamp.Equal(sentAt), p.Channel)
	}
	assert.False(t, sentAt.IsZero() || sentAt.After(time.Now()))
}

// After a retraction of the newer update that deleted its post on some
// endpoints of a channel and failed on others, the dry run of the older
// update sent again says what the send does: it goes to the endpoints
// where the newer post is gone (the channel is not "superseded"), and is
// superseded only where that post is still up.
func TestDryRunOfAResendAfterAPartlyFailedRetraction(t *testing.T) {
	a, b := newHookReceiver(t), newHookReceiver(t)
	t.Setenv("WEBHOOK_SECRET", testSecret)
	cfg := writeConfig(t, fastRetry+"channels:\n"+
		"  - kind: webhook\n    name: subs\n    endpoints:\n"+
		fmt.Sprintf("      - {url: %s/in, secret: \"${WEBHOOK_SECRET}\"}\n", a.URL)+
		fmt.Sprintf("      - {url: %s/in, secret: \"${WEBHOOK_SECRET}\"}\n", b.URL))
	state := filepath.Join(t.TempDir(), "state.db")
	run := func(args ...string) result {
		return announce(t, context.Background(), "", append([]string{"-config", cfg, "-state", state}, args...)...)
	}
	older := []string{"-incident", "cdn", "-title", "Elevated CDN errors", "-status", "investigating",
		"-body", "Some requests fail.", "-id", "older"}

	a.fail(http.StatusServiceUnavailable, "busy")
	b.fail(http.StatusServiceUnavailable, "busy")
	r := run(older...)
	require.Equal(t, exitFailed, r.code, r.stderr)
	a.fail(0, "")
	b.fail(0, "")
	r = run("-incident", "cdn", "-title", "Elevated CDN errors", "-status", "identified",
		"-body", "A bad deploy.", "-id", "newer")
	require.Equal(t, exitOK, r.code, r.stderr)
	a.fail(http.StatusForbidden, "no")
	r = run("-retract", "newer")
	require.Equal(t, exitFailed, r.code, "a kept the post: %s", r.stderr)
	a.fail(0, "")

	dry := run(append(older, "-dry-run")...)
	require.Equal(t, exitOK, dry.code, dry.stderr)
	assert.NotContains(t, dry.stdout, "not sent", "the newer post is gone from b")
	again := run(older...)
	require.Equal(t, exitOK, again.code, again.stderr)
	ids := func(h *hookReceiver) (ids []string) {
		for _, d := range h.updates() {
			ids = append(ids, d.ID)
		}
		return ids
	}
	assert.Equal(t, []string{"newer", "newer", "older"}, ids(b), "older reached b, where newer was deleted (its retraction between)")
	assert.NotContains(t, ids(a), "older", "newer is still up on a")
}
