package matrix

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The homeserver's answers, classified as the Broadcaster's retries need:
// rate limits wait, server trouble is retried, refusals are final.
func TestClassify(t *testing.T) {
	const never = -1 // not a rate limit: no RetryAfter
	for _, tt := range []struct {
		name      string
		status    int
		header    string // Retry-After
		body      string
		permanent bool
		wait      time.Duration
		err       Error
	}{
		{name: "429 with retry_after_ms", status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests","retry_after_ms":2500}`,
			wait: 2500 * time.Millisecond, err: Error{429, "M_LIMIT_EXCEEDED", "Too Many Requests"}},
		{name: "429 with Retry-After, which wins", status: 429, header: "7", body: `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":2500}`,
			wait: 7 * time.Second, err: Error{429, "M_LIMIT_EXCEEDED", "slow down"}},
		{name: "429 without a hint", status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED"}`, wait: httpx.RateLimitWait,
			err: Error{429, "M_LIMIT_EXCEEDED", `{"errcode":"M_LIMIT_EXCEEDED"}`}},
		// A wait already over names none (httpx.RateLimited): the
		// homeserver's retry_after_ms, or else the shared default.
		{name: "429 with Retry-After 0 and retry_after_ms", status: 429, header: "0",
			body: `{"errcode":"M_LIMIT_EXCEEDED","error":"x","retry_after_ms":2500}`,
			wait: 2500 * time.Millisecond, err: Error{429, "M_LIMIT_EXCEEDED", "x"}},
		{name: "429 with Retry-After 0", status: 429, header: "0", body: `{"errcode":"M_LIMIT_EXCEEDED","error":"x"}`,
			wait: httpx.RateLimitWait, err: Error{429, "M_LIMIT_EXCEEDED", "x"}},
		{name: "429 from a proxy", status: 429, body: "Too many", wait: httpx.RateLimitWait, err: Error{429, "", "Too many"}},
		{name: "M_LIMIT_EXCEEDED under another status", status: 400, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"x","retry_after_ms":1000}`,
			wait: time.Second, err: Error{400, "M_LIMIT_EXCEEDED", "x"}},
		{name: "huge retry_after_ms is capped", status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"x","retry_after_ms":1000000000000000}`,
			wait: httpx.MaxRetryAfter, err: Error{429, "M_LIMIT_EXCEEDED", "x"}},
		{name: "unknown token", status: 401, body: `{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown token","soft_logout":true}`,
			permanent: true, wait: never, err: Error{401, "M_UNKNOWN_TOKEN", "Unknown token"}},
		{name: "missing token", status: 401, body: `{"errcode":"M_MISSING_TOKEN","error":"Missing token"}`,
			permanent: true, wait: never, err: Error{401, "M_MISSING_TOKEN", "Missing token"}},
		{name: "not in the room", status: 403, body: `{"errcode":"M_FORBIDDEN","error":"User not in room"}`,
			permanent: true, wait: never, err: Error{403, "M_FORBIDDEN", "User not in room"}},
		{name: "too large", status: 413, body: `{"errcode":"M_TOO_LARGE","error":"event too large"}`,
			permanent: true, wait: never, err: Error{413, "M_TOO_LARGE", "event too large"}},
		{name: "bad JSON", status: 400, body: `{"errcode":"M_BAD_JSON","error":"bad"}`,
			permanent: true, wait: never, err: Error{400, "M_BAD_JSON", "bad"}},
		{name: "no such room", status: 404, body: `{"errcode":"M_NOT_FOUND","error":"Unknown room"}`,
			permanent: true, wait: never, err: Error{404, "M_NOT_FOUND", "Unknown room"}},
		{name: "not implemented", status: 501, body: `{"errcode":"M_UNRECOGNIZED","error":"no"}`,
			permanent: true, wait: never, err: Error{501, "M_UNRECOGNIZED", "no"}},
		{name: "server error", status: 500, body: `{"errcode":"M_UNKNOWN","error":"Internal server error"}`,
			wait: never, err: Error{500, "M_UNKNOWN", "Internal server error"}},
		{name: "proxy's 502", status: 502, body: "<html><body>\n<h1>502 Bad Gateway</h1></body></html>",
			wait: never, err: Error{502, "", "<html><body> <h1>502 Bad Gateway</h1></body></html>"}},
		{name: "503 with Retry-After", status: 503, header: "30", body: "",
			wait: 30 * time.Second, err: Error{503, "", ""}},
		{name: "request timeout", status: 408, body: "", wait: never, err: Error{408, "", ""}},
		// The wait the homeserver names is kept on any transient answer, as
		// Discord's and Telegram's are (httpx.MarkWait): a 503 with
		// retry_after_ms asks for that wait, not the first backoff step.
		{name: "503 with retry_after_ms", status: 503, body: `{"errcode":"M_UNKNOWN","error":"busy","retry_after_ms":2000}`,
			wait: 2 * time.Second, err: Error{503, "M_UNKNOWN", "busy"}},
		{name: "503 with Retry-After 0 and retry_after_ms", status: 503, header: "0", body: `{"errcode":"M_UNKNOWN","error":"busy","retry_after_ms":2000}`,
			wait: 2 * time.Second, err: Error{503, "M_UNKNOWN", "busy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch := newTestChannel(t, confConfig("https://matrix.example.org"))
			r := &httpx.Response{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)}
			if tt.header != "" {
				r.Header.Set("Retry-After", tt.header)
			}
			err := ch.classify(r, time.Now())
			require.Error(t, err)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent(%v)", err)
			wait, ok := broadcast.RetryDelay(err)
			if tt.wait == never {
				assert.False(t, ok, "RetryAfter(%v)", err)
			} else {
				assert.Equal(t, tt.wait, wait, "RetryDelay(%v)", err)
			}
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.err, *e)
		})
	}
}

func TestClassifySuccess(t *testing.T) {
	ch := newTestChannel(t, confConfig("https://matrix.example.org"))
	for _, status := range []int{200, 201, 204} {
		assert.NoError(t, ch.classify(&httpx.Response{Status: status, Body: []byte(`{}`)}, time.Now()))
	}
}

func TestErrorText(t *testing.T) {
	assert.Equal(t, "M_FORBIDDEN (http 403): You are not invited to this room.",
		(&Error{403, "M_FORBIDDEN", "You are not invited to this room."}).Error())
	assert.Equal(t, "http 502: Bad Gateway", (&Error{Status: 502, Message: "Bad Gateway"}).Error())
	assert.Equal(t, "http 503", (&Error{Status: 503}).Error())
}

// A server's answer that quotes the token, in any encoding, keeps it out
// of the error; errors.As still finds the *Error.
func TestErrorRedactsToken(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	ch := newTestChannel(t, confConfig(f.srv.URL))
	f.Fail(channeltest.FailEcho)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "x")))
	require.Error(t, err)
	channeltest.AssertNoSecret(t, err.Error(), confToken)
	assert.Contains(t, err.Error(), "REDACTED")
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te))
	var e *Error
	require.True(t, errors.As(te.Failures[0].Err, &e), "%v", te.Failures[0].Err)
	assert.Equal(t, "M_UNKNOWN", e.Code)
}

// A transport error (nothing listens) is transient, and names the
// homeserver without its path.
func TestTransportErrorIsTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	ch := newTestChannel(t, confConfig(base))
	_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "x")))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.NotContains(t, err.Error(), "/_matrix/")
}

// An answer that is not a homeserver's says so and names the field to
// check. Every endpoint of the client-server API answers JSON, an error with
// an errcode, an unknown endpoint 404 or 405 M_UNRECOGNIZED
// (https://spec.matrix.org/latest/client-server-api/#api-standards), so a
// 404 or 405 page without one, or a redirect, comes from another server
// behind Config.Homeserver: the server name's web site instead of the
// m.homeserver base_url of its /.well-known/matrix/client. Before, the
// error read "http 404: <html>…", as if the room were unknown, and a
// redirect "http 301", without where it pointed.
func TestForeignAnswerNamesHomeserver(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer http.HandlerFunc
		want   []string
	}{
		{"web site's 404", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<html><body><h1>404 Not Found</h1></body></html>"))
		}, []string{"http 404: <html><body><h1>404 Not Found</h1></body></html>", "not a homeserver's answer (check Config.Homeserver"}},
		{"static site's 405", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		}, []string{"http 405: 405 method not allowed", "not a homeserver's answer (check Config.Homeserver"}},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://www.example.org"+r.URL.Path, http.StatusMovedPermanently)
		}, []string{"http 301", "redirect to https://www.example.org/", "not followed", "not a homeserver's answer (check Config.Homeserver"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.answer)
			t.Cleanup(srv.Close)
			ch := newTestChannel(t, confConfig(srv.URL))
			_, err := ch.Send(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "x")))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			var te *broadcast.TargetsError
			require.ErrorAs(t, err, &te)
			var e *Error
			require.ErrorAs(t, te.Failures[0].Err, &e)
			channeltest.AssertNoSecret(t, err.Error(), confToken)

			err = ch.Check(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "not a homeserver's answer (check Config.Homeserver")
		})
	}
	// A homeserver's own 404 is about the room, not the configuration.
	ch := newTestChannel(t, confConfig("https://matrix.example.org"))
	err := ch.classify(&httpx.Response{Status: 404, Header: http.Header{}, Body: []byte(`{"errcode":"M_NOT_FOUND","error":"Unknown room"}`)}, time.Now())
	assert.NotContains(t, err.Error(), "Config.Homeserver")
	err = ch.classify(&httpx.Response{Status: 502, Header: http.Header{}, Body: []byte(`<html>502 Bad Gateway</html>`)}, time.Now())
	assert.NotContains(t, err.Error(), "Config.Homeserver", "a proxy's trouble, not the configuration's")
}

// A whole 2xx that is not the homeserver's answer (a captive portal's or
// a proxy's page, JSON of another service) is another server's too: the
// homeserver answers a message sent with {"event_id": "$…"}
// (https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid),
// a redaction likewise
// (https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid),
// whoami with the user_id, an event read back with its event_id, so
// nothing shows the request reached it. It is Permanent, names
// Config.Homeserver, and the rooms left fail without a request. Before, a
// page was a transient "not the expected JSON", {} a transient "names no
// event_id", and any 2xx to a redaction counted as a post redacted.
func TestForeignSuccessNamesHomeserver(t *testing.T) {
	const want = "not a homeserver's answer (check Config.Homeserver"
	for _, body := range []string{"<html><title>Sign in to the guest Wi-Fi</title></html>", `{}`, `{"ok":true}`} {
		t.Run(body, func(t *testing.T) {
			var calls int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls++
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			ch := newTestChannel(t, confConfig(srv.URL))
			m := broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "x"))
			_, err := ch.Send(context.Background(), m)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), "http 200")
			assert.Contains(t, err.Error(), want)
			assert.LessOrEqual(t, calls, 2, "every room gets the same answer: the first room's tombstone and post only")
			channeltest.AssertNoSecret(t, err.Error(), confToken)

			err = ch.Check(context.Background())
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), want)

			prev := ch.receipt(context.Background(), []post{{target: confTargets[0], room: confTargets[0], event: "$e1"}})
			_, err = ch.Edit(context.Background(), broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "y")), prev)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), want)
			err = ch.Retract(context.Background(), prev)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), want)
		})
	}
}
