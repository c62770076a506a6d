package slack

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// An incoming webhook posts and does nothing more: no thread, no edit in
// place (a correction is a new message), no deletion, no probe.
func TestWebhookMode(t *testing.T) {
	f := newFakeSlack(t, testToken)
	ch, err := New(hookConfig(f))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	u1 := update(1, broadcast.StatusInvestigating)
	r1 := send(t, ch, u1, broadcast.Thread{})
	assert.Empty(t, r1.ID, "a webhook answers no ts")
	send(t, ch, update(2, broadcast.StatusIdentified), broadcast.Thread{Root: r1, Last: r1})
	for _, c := range f.requests("webhook") {
		assert.NotContains(t, c.body, "thread_ts", "a webhook cannot thread")
		assert.NotContains(t, c.body, "channel", "a webhook posts to its own conversation")
	}

	fix := correction(u1, broadcast.StatusIdentified, broadcast.Thread{Root: r1, Last: r1})
	_, err = ch.Edit(context.Background(), fix, r1)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable, "Broadcaster.Correct posts the correction anew")
	assert.True(t, broadcast.IsPermanent(err))
	send(t, ch, fix.Update, fix.Thread) // as Broadcaster.Correct does then
	msgs := f.messages()
	require.Len(t, msgs, 3, "the correction is a new message")
	assert.Contains(t, shown(msgs[2].sections[0]), "*Correction: ")

	err = ch.Retract(context.Background(), r1)
	assert.ErrorIs(t, err, broadcast.ErrNotSupported)
	assert.True(t, broadcast.IsPermanent(err))

	assert.ErrorIs(t, ch.Check(context.Background()), broadcast.ErrNotSupported, "not checked, not passed")
	assert.Len(t, f.requests("webhook"), 3, "Check, and Retract, make no request")
}

// A webhook's answers, as Slack documents them, and how each is marked.
func TestWebhookAnswers(t *testing.T) {
	f := newFakeSlack(t, testToken)
	ch, err := New(hookConfig(f))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	for _, c := range []struct {
		status int
		body   string
		hint   string // Retry-After
		want   class
		wait   time.Duration
	}{
		{http.StatusBadRequest, "invalid_payload", "", permanent, 0},
		{http.StatusBadRequest, "user_not_found", "", permanent, 0},
		{http.StatusForbidden, "action_prohibited", "", permanent, 0},
		{http.StatusNotFound, "channel_not_found", "", permanent, 0},
		{http.StatusGone, "channel_is_archived", "", permanent, 0},
		{http.StatusNotFound, "no_service", "", permanent, 0},
		{http.StatusTooManyRequests, "rate_limited", "30", rateLimited, 30 * time.Second},
		// Without Retry-After: the Web API's default wait, not a 1s backoff
		// into the same limit.
		{http.StatusTooManyRequests, "rate_limited", "", rateLimited, httpx.RateLimitWait},
		{http.StatusInternalServerError, "rollup_error", "", transient, 0},
		{http.StatusServiceUnavailable, "", "", transient, 0},
	} {
		a := &fakeAnswer{status: c.status, body: c.body}
		if c.hint != "" {
			a.header = map[string]string{"Retry-After": c.hint}
		}
		f.answerHook(a)
		_, err := ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
		require.Errorf(t, err, "%d %s", c.status, c.body)
		assert.Equalf(t, c.want, classOf(err), "%d %s: %v", c.status, c.body, err)
		if d, ok := broadcast.RetryDelay(err); ok {
			assert.Equal(t, c.wait, d)
		}
		assert.Contains(t, err.Error(), c.body, "the webhook's error word")
		assert.NotContains(t, err.Error(), hookSecret)
	}
	f.answerHook(nil)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
	assert.NoError(t, err, `"ok"`)
}

// A whole 2xx that is not the webhook's plain-text "ok" (a captive
// portal's or a proxy's page) is another server's answer: Slack answers a
// message it posted with HTTP 200 and "ok", and an error word otherwise
// (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks/#handling-errors),
// so nothing shows the message reached Slack. Before, any 2xx was a post.
func TestWebhookForeignSuccess(t *testing.T) {
	f := newFakeSlack(t, testToken)
	ch, err := New(hookConfig(f))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	for _, body := range []string{"<html><title>Accept the terms of the guest Wi-Fi</title></html>", ""} {
		f.answerHook(&fakeAnswer{status: http.StatusOK, body: body})
		_, err := ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
		require.Errorf(t, err, "%q", body)
		assert.True(t, broadcast.IsPermanent(err), err)
		assert.Contains(t, err.Error(), "not Slack's answer (check Config.WebhookURL)")
		assert.NotContains(t, err.Error(), hookSecret)
	}
	f.answerHook(&fakeAnswer{status: http.StatusOK, body: "ok\n"})
	_, err = ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
	assert.NoError(t, err, "Slack's ok")
}
