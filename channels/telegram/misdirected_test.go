package telegram

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A Bot API server that does not serve the bot (one started with
// --filter, which serves only some bot ids) refuses every request of its
// token with 421 "Misdirected Request: unallowed token specified"
// (ClientManager::send in tdlib/telegram-bot-api), as it refuses a
// malformed token with 401: every chat would fail the same way, so the
// chats not yet tried fail without a request, and the error says the
// token was refused. Before, each chat made its request, and got the
// same 421.
func TestSendTokenNotServed(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		writeError(w, http.StatusMisdirectedRequest, "Misdirected Request: unallowed token specified", nil)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig("@examplestatus", "-1002222222222/42", "-333333333")
	cfg.BaseURL, cfg.HTTPClient = srv.URL, &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	t.Cleanup(cfg.HTTPClient.CloseIdleConnections)
	cfg.Token = redact.NewSecret(testToken)
	ch, err := New(cfg)
	require.NoError(t, err)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Len(t, te.Failures, 3)
	assert.Equal(t, int32(1), requests.Load(), "one request")
	assert.ErrorIs(t, err, errTokenRefused)
	assert.Contains(t, err.Error(), "unallowed token specified")
}

// A 421 that is not the Bot API server's "unallowed token specified" (a
// proxy or load balancer in front of it answering an HTTP/2 request
// directed at a connection that cannot serve its host, RFC 9110, section
// 15.5.20) says nothing of the token: the error must not say the token
// was refused. Before, every 421 was, and an operator told so would
// rotate a good token.
func TestSendMisdirectedNotAboutToken(t *testing.T) {
	for name, answer := range map[string]http.HandlerFunc{
		"proxy page": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusMisdirectedRequest)
			_, _ = w.Write([]byte("<html><body><h1>421 Misdirected Request</h1></body></html>"))
		},
		"other description": func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusMisdirectedRequest, "Misdirected Request", nil)
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(answer)
			t.Cleanup(srv.Close)
			cfg := testConfig("@examplestatus")
			cfg.BaseURL, cfg.HTTPClient = srv.URL, &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
			t.Cleanup(cfg.HTTPClient.CloseIdleConnections)
			cfg.Token = redact.NewSecret(testToken)
			ch, err := New(cfg)
			require.NoError(t, err)
			_, err = ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.Error(t, err)
			assert.NotErrorIs(t, err, errTokenRefused)
			assert.Contains(t, err.Error(), "421")
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}
