package slack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// An "ok" answer to chat.postMessage without Slack's ts and channel ID is
// a relay's answer (one that passes the post on and answers for Slack, or
// echoes the request): the post may have been made, so the target's error,
// permanent, is marked broadcast.Uncertain and a later attempt looks for
// the post before posting again.
func TestOKWithoutTSMayHavePosted(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	ch, err := New(Config{Channels: []string{"C0123456789"}, Token: redact.NewSecret(testToken), BaseURL: srv.URL + "/api/"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })

	_, err = ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
	require.Error(t, err)
	mu.Lock()
	assert.Contains(t, calls, "/api/chat.postMessage")
	mu.Unlock()
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "not Slack's answer (check Config.BaseURL)")
	te := new(broadcast.TargetsError)
	require.True(t, errors.As(err, &te), "%v", err)
	require.Len(t, te.Failures, 1)
	assert.True(t, broadcast.IsPermanent(te.Failures[0].Err), "%v", te.Failures[0].Err)
	assert.True(t, broadcast.IsUncertain(te.Failures[0].Err), "the relay may have passed the post on: %v", te.Failures[0].Err)
}
