package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A post's link, in the answer to Alertmanager and in the log, loses the
// credentials a platform's answer may carry (user information, a token
// query) and the configuration's secrets, as the server's answers and log
// show it: Alertmanager logs a failed notification's answer.
func TestReceiptLinkWithoutCredentials(t *testing.T) {
	const secret = "s3cr3t-path-0123456789"
	link := "https://bot:hunter22@chat.example.com/p/" + secret + "?token=abcd1234&thread=7"
	delivered := broadcast.ChannelFunc("hooks", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "1", URL: link}, nil
	})
	refused := broadcast.ChannelFunc("gone", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, broadcast.Permanent(http.ErrNoLocation) // an answer of 424 lists both
	})
	say := func(_, s string) string { return strings.ReplaceAll(s, secret, "${HOOK_PATH}") }
	logs := &syncbuf.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{delivered, refused}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1},
		Store: store, OnEvent: logEvents(log, say)})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	h := &handler{b: b, store: store, log: log, say: say}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(srv.Close)

	code, resp := post(t, srv, sample(t, "firing.json"))
	assert.Equal(t, http.StatusFailedDependency, code)
	require.Len(t, resp.Results, 2)
	// The reference that stands for the secret comes %-escaped, as the
	// server's answers show it.
	const want = "https://chat.example.com/p/$%7BHOOK_PATH%7D?token=REDACTED&thread=7"
	assert.Equal(t, want, resp.Results[0].URL)
	for _, s := range []string{"hunter22", "abcd1234", secret} {
		assert.NotContains(t, logs.String(), s)
	}
	assert.Contains(t, logs.String(), `url="`+want+`"`)
}
