package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// class is how an error is marked for the Broadcaster's retries.
type class int

const (
	transient class = iota
	permanent
	rateLimited
)

func classOf(err error) class {
	if _, ok := broadcast.RetryDelay(err); ok {
		return rateLimited
	}
	if broadcast.IsPermanent(err) {
		return permanent
	}
	return transient
}

// Slack's answers, as its documentation lists them, and how each is
// marked.
func TestClassifyAnswers(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	for _, c := range []struct {
		status int
		header string // Retry-After
		body   string
		want   class
		wait   time.Duration
		code   string
	}{
		{429, "17", `{"ok":false,"error":"ratelimited"}`, rateLimited, 17 * time.Second, "ratelimited"},
		{200, "", `{"ok":false,"error":"ratelimited"}`, rateLimited, httpx.RateLimitWait, "ratelimited"},
		{200, "", `{"ok":false,"error":"rate_limited"}`, rateLimited, httpx.RateLimitWait, "rate_limited"},
		{429, "5", `Too Many Requests`, rateLimited, 5 * time.Second, ""},
		// A 429 that is not Slack's JSON and has no Retry-After (a
		// proxy's, an empty body) waits as Slack's own does, as the
		// incoming webhook's does: a backoff from 1s would run into it.
		{429, "", `Too Many Requests`, rateLimited, httpx.RateLimitWait, ""},
		{429, "", ``, rateLimited, httpx.RateLimitWait, ""},
		{200, "", `{"ok":false,"error":"invalid_auth"}`, permanent, 0, "invalid_auth"},
		{200, "", `{"ok":false,"error":"not_authed"}`, permanent, 0, "not_authed"},
		{200, "", `{"ok":false,"error":"account_inactive"}`, permanent, 0, "account_inactive"},
		{200, "", `{"ok":false,"error":"token_revoked"}`, permanent, 0, "token_revoked"},
		{200, "", `{"ok":false,"error":"channel_not_found"}`, permanent, 0, "channel_not_found"},
		{200, "", `{"ok":false,"error":"not_in_channel"}`, permanent, 0, "not_in_channel"},
		{200, "", `{"ok":false,"error":"is_archived"}`, permanent, 0, "is_archived"},
		{200, "", `{"ok":false,"error":"msg_too_long"}`, permanent, 0, "msg_too_long"},
		{200, "", `{"ok":false,"error":"no_text"}`, permanent, 0, "no_text"},
		{200, "", `{"ok":false,"error":"some_future_code"}`, permanent, 0, "some_future_code"},
		{200, "", `{"ok":false,"error":"internal_error"}`, transient, 0, "internal_error"},
		{200, "", `{"ok":false,"error":"fatal_error"}`, transient, 0, "fatal_error"},
		{200, "", `{"ok":false,"error":"service_unavailable"}`, transient, 0, "service_unavailable"},
		{503, "", `{"ok":false,"error":"service_unavailable"}`, transient, 0, "service_unavailable"},
		{200, "", `{"ok":false,"error":"request_timeout"}`, transient, 0, "request_timeout"},
		{500, "", `{"ok":false,"error":"some_future_code"}`, transient, 0, "some_future_code"},
		{502, "", `<html>Bad Gateway</html>`, transient, 0, ""},
		{404, "", `<html>Not Found</html>`, permanent, 0, ""},
		// A whole 2xx without Slack's JSON is another server's (a captive
		// portal's): no call of Slack's, and a retry gets the same page.
		{200, "", `<html>captive portal</html>`, permanent, 0, ""},
	} {
		resp := &httpx.Response{Status: c.status, Header: http.Header{}, Body: []byte(c.body)}
		if c.header != "" {
			resp.Header.Set("Retry-After", c.header)
		}
		err := ch.decode("chat.postMessage", resp, &postResponse{})
		require.Errorf(t, err, "%d %s", c.status, c.body)
		assert.Equalf(t, c.want, classOf(err), "%d %s: %v", c.status, c.body, err)
		if d, ok := broadcast.RetryDelay(err); ok {
			assert.Equalf(t, c.wait, d, "%d %s: the wait", c.status, c.body)
		}
		var ae *APIError
		if c.code != "" && assert.Truef(t, errors.As(err, &ae), "%d %s: an *APIError", c.status, c.body) {
			assert.Equal(t, c.code, ae.Code)
			assert.Equal(t, c.status, ae.Status)
		}
	}
}

// Slack's explanations are quoted, a few, one line each, without the
// token.
func TestErrorDetails(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	resp := &httpx.Response{Status: 200, Header: http.Header{}, Body: []byte(`{"ok":false,"error":"invalid_blocks",
		"response_metadata":{"messages":["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
		"[ERROR] second\nline","[ERROR] token ` + testToken + `","[ERROR] fourth"]}}`)}
	err := ch.decode("chat.postMessage", resp, &postResponse{})
	assert.Equal(t, "chat.postMessage: invalid_blocks: [ERROR] must be less than 3001 characters "+
		"[json-pointer:/blocks/0/text/text]; [ERROR] second line; [ERROR] token REDACTED", err.Error())
	assert.True(t, broadcast.IsPermanent(err))
}

// A transport error is transient and names the method, and the Web API's
// URL as every HTTP channel names a URL without secrets (httpx): its
// scheme and host, not its path.
func TestTransportError(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	f.srv.Close()
	_, err := ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a connection refused is worth a retry: %v", err)
	assert.Contains(t, err.Error(), "#ops: chat.postMessage: ")
	assert.Contains(t, err.Error(), `chat.postMessage: Post "`+f.srv.URL+`/…": `)
	assert.NotContains(t, err.Error(), "/api/")
}

// With one conversation failing, the others are delivered and marked;
// the error names the one pending.
func TestOneConversationFails(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops", "eng"}})
	f.FailTarget("eng", channeltest.FailRateLimited)
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	d, ok := broadcast.RetryDelay(err)
	assert.True(t, ok, "the rate limit's wait: %v", err)
	assert.Equal(t, 7*time.Second, d)
	assert.Equal(t, "slack: 1 of 2 targets not delivered (1 pending, 0 failed permanently): "+
		"eng: chat.postMessage: ratelimited (http status 429)", err.Error())
	done, failure := m.Ledger.Done("#ops")
	assert.True(t, done && failure == "", "#ops is marked delivered")
}

// The Web API answers with its JSON, {"ok":false,"error":…}, an unknown
// method's too (https://api.slack.com/web#evaluating_responses); an
// incoming webhook refuses with a snake_case word in plain text
// (https://api.slack.com/messaging/webhooks#handling_errors). A redirect,
// or a 401, 404 or 405 with neither, is another server's answer (a
// proxy's page, a wrong host or path): permanent, naming the field to
// check; Slack's own refusals do not.
func TestForeignAnswer(t *testing.T) {
	const hint = "not Slack's answer (check Config."
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	for _, c := range []struct {
		status  int
		body    string
		foreign bool
	}{
		{404, `<html>Not Found</html>`, true},
		{401, `Unauthorized`, true},
		{405, ``, true},
		{302, ``, true},
		{200, `{"ok":false,"error":"channel_not_found"}`, false},
		{400, `<html>Bad Request</html>`, false},
		{200, `<html>Sign in to continue</html>`, true}, // a captive portal's
		{200, `{"status":"ok"}`, true},
	} {
		resp := &httpx.Response{Status: c.status, Header: http.Header{}, Body: []byte(c.body)}
		err := ch.decode("chat.postMessage", resp, &postResponse{})
		require.Errorf(t, err, "%d %s", c.status, c.body)
		assert.Truef(t, broadcast.IsPermanent(err), "%d %s: %v", c.status, c.body, err)
		assert.Equalf(t, c.foreign, strings.Contains(err.Error(), hint+"BaseURL)"), "%d %s: %v", c.status, c.body, err)
	}
	// A 2xx cut off at the limit is errCut, which deliver takes as a post
	// made (TestCutPostAnswer) and other calls retry.
	cut := &httpx.Response{Status: 200, Header: http.Header{}, Body: []byte(`{"ok":true,"channel":"C0`), Truncated: true}
	err := ch.decode("chat.postMessage", cut, &postResponse{})
	require.ErrorIs(t, err, errCut)
	assert.False(t, broadcast.IsPermanent(err), "a 2xx cut off: %v", err)

	f := newFakeSlack(t, testToken)
	hook, err := New(hookConfig(f))
	require.NoError(t, err)
	t.Cleanup(func() { _ = hook.Close() })
	defer f.answerHook(nil)
	for _, c := range []struct {
		status  int
		body    string
		foreign bool
	}{
		{http.StatusNotFound, "<html><h1>404 Not Found</h1>nginx</html>", true},
		{http.StatusNotFound, "404 page not found", true},
		{http.StatusUnauthorized, "", true},
		{http.StatusMethodNotAllowed, "Method Not Allowed", true},
		{http.StatusNotFound, "no_service", false},
		{http.StatusNotFound, "channel_not_found", false},
		{http.StatusForbidden, "invalid_token", false},
	} {
		f.answerHook(&fakeAnswer{status: c.status, body: c.body})
		_, err := hook.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
		require.Errorf(t, err, "%d %s", c.status, c.body)
		assert.Truef(t, broadcast.IsPermanent(err), "%d %s: %v", c.status, c.body, err)
		assert.Equalf(t, c.foreign, strings.Contains(err.Error(), hint+"WebhookURL)"), "%d %s: %v", c.status, c.body, err)
	}
}

// message_limit_exceeded is a free workspace's "high-volume message
// limit": Slack stops it sending too many messages in a short time
// (Slack's help, "Usage limits for free workspaces"). It passes, so the
// post is retried, after Retry-After, or a minute without one; the error
// says what the code means.
func TestMessageLimitExceeded(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	for _, c := range []struct {
		header string
		wait   time.Duration
	}{{"", time.Minute}, {"90", 90 * time.Second}} {
		resp := &httpx.Response{Status: 200, Header: http.Header{}, Body: []byte(`{"ok":false,"error":"message_limit_exceeded"}`)}
		if c.header != "" {
			resp.Header.Set("Retry-After", c.header)
		}
		err := ch.decode("chat.postMessage", resp, &postResponse{})
		require.Error(t, err)
		assert.False(t, broadcast.IsPermanent(err), "retried: %v", err)
		d, ok := broadcast.RetryDelay(err)
		assert.True(t, ok, "after a wait: %v", err)
		assert.Equal(t, c.wait, d, "Retry-After %q", c.header)
		assert.Contains(t, err.Error(), "chat.postMessage: message_limit_exceeded (the free workspace sent too many messages in a short time")
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "message_limit_exceeded", ae.Code)
	}
}

// The error code of a refusal is quoted as one bounded, printable line,
// as Slack's explanations are: an answer from a broken or hostile server
// in Slack's place cannot put line breaks or terminal escapes in a log
// line, nor make an error of the whole body.
func TestErrorCodeIsBoundedAndPrintable(t *testing.T) {
	ch, _ := newTestChannel(t, Config{Channels: []string{"#ops"}})
	code := `bad\nlevel=ERROR msg=forged\u001b[2J ` + strings.Repeat("x", 20_000)
	resp := &httpx.Response{Status: 200, Header: http.Header{}, Body: []byte(`{"ok":false,"error":"` + code + `"}`)}
	err := ch.decode("chat.postMessage", resp, &postResponse{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\n")
	assert.NotContains(t, err.Error(), "\x1b")
	assert.Less(t, len(err.Error()), 2*httpx.SnippetLimit, "error of %d bytes", len(err.Error()))
	assert.True(t, broadcast.IsPermanent(err))
}
