package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/channels/webhook"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConsoleOnly(t *testing.T) {
	t.Setenv("OUTAGECAST_WEBHOOK_URL", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Contains(t, out.String(), "Investigating: Elevated error rates on the CDN")
	assert.Contains(t, out.String(), "https://status.example.com/incidents/cdn-errors")
	assert.Contains(t, out.String(), "console: delivered=true attempts=1\n")
}

func TestWithWebhook(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	v, err := webhook.NewVerifier(secret)
	require.NoError(t, err)
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := v.VerifyRequest(r, 1<<20); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	t.Setenv("OUTAGECAST_WEBHOOK_URL", srv.URL)
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", secret)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Contains(t, out.String(), "webhook: delivered=true attempts=1\n")
	assert.Equal(t, int32(1), got.Load())
}

func TestBadWebhookSecret(t *testing.T) {
	t.Setenv("OUTAGECAST_WEBHOOK_URL", "https://hooks.example.com/in")
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", "not-a-secret")
	err := run(context.Background(), &bytes.Buffer{})
	require.ErrorContains(t, err, "webhook: Config.Secret")
	assert.NotContains(t, err.Error(), "not-a-secret")
}
