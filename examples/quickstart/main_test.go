package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
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
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	var got atomic.Int32
	var advice atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := v.VerifyRequest(r, 1<<20)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		if json.Unmarshal(body, &p) == nil && p.Data.Advice != "" {
			advice.Store(p.Data.Advice)
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
	assert.Equal(t, "Retry failed downloads; no data is lost.", advice.Load(), "the payload carries the advice")
}

func TestBadWebhookSecret(t *testing.T) {
	t.Setenv("OUTAGECAST_WEBHOOK_URL", "https://hooks.example.com/in")
	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", "not-a-secret")
	err := run(context.Background(), &bytes.Buffer{})
	require.ErrorContains(t, err, "webhook: Config.Secret")
	assert.Contains(t, err.Error(), "OUTAGECAST_WEBHOOK_SECRET", "the error names the variable to set")
	assert.NotContains(t, err.Error(), "not-a-secret")

	t.Setenv("OUTAGECAST_WEBHOOK_SECRET", "")
	err = run(context.Background(), &bytes.Buffer{})
	require.ErrorContains(t, err, "OUTAGECAST_WEBHOOK_SECRET")
}
