package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The log says a notification was taken for the incident's latest update
// only when it was another notification (a repeat saying nothing new), not
// when it is that update's own notification again (Alertmanager's retry).
func TestRetryIsNotLoggedAsARepeat(t *testing.T) {
	srv, logs := loggingBridge(t)

	const said = "notification says what the incident's latest update said"
	for range 2 {
		code, _ := post(t, srv, notification(t, 0, dbDown, slowAPI))
		require.Equal(t, http.StatusOK, code)
	}
	assert.NotContains(t, logs.String(), said, "a retry of the same notification")
	refired := strings.Replace(string(notification(t, 0, dbDown, slowAPI)), "2024-05-14T09:12:30Z", "2024-05-14T10:02:00Z", 1)
	code, _ := post(t, srv, []byte(refired))
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, logs.String(), said, "another notification saying nothing new")
}

// loggingBridge serves a bridge with one channel, logging to the buffer it
// returns as text.
func loggingBridge(t *testing.T) (*httptest.Server, *bytes.Buffer) {
	var logs bytes.Buffer
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{&recorder{name: "status"}}, broadcast.Options{Store: store})
	require.NoError(t, err)
	h := &handler{b: b, store: store, log: slog.New(slog.NewTextHandler(&logs, nil)), say: func(_, s string) string { return s }}
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); b.Close() })
	return srv, &logs
}
