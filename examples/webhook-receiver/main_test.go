package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestReceivesSignedDeliveriesOnce(t *testing.T) {
	v, err := webhook.NewVerifier(secret)
	require.NoError(t, err)
	var out syncBuffer
	srv := httptest.NewServer(newHandler(v, &out))
	defer srv.Close()

	ch, err := webhook.New(webhook.Config{URL: srv.URL + "/outagecast", Secret: secret})
	require.NoError(t, err)
	defer ch.Close()
	u := broadcast.Update{
		IncidentID: "cdn-42", Title: "Elevated CDN error rates", Status: broadcast.StatusInvestigating,
		Body: "We are investigating.", URL: "https://status.example.com/incidents/42",
		Time: time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC),
	}.WithDefaults(time.Now())
	for attempt := 1; attempt <= 2; attempt++ { // the second is a retry of the same delivery
		_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: attempt})
		require.NoError(t, err)
	}
	assert.Equal(t, "2026-11-24T14:02:00Z incident.updated [investigating] Elevated CDN error rates (incident cdn-42)\n"+
		"    We are investigating.\n"+
		"    https://status.example.com/incidents/42\n", out.String())
}

func TestRejectsUnsignedAndForged(t *testing.T) {
	v, err := webhook.NewVerifier(secret)
	require.NoError(t, err)
	var out syncBuffer
	srv := httptest.NewServer(newHandler(v, &out))
	defer srv.Close()

	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"type":"incident.updated"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	other, err := webhook.New(webhook.Config{URL: srv.URL, Secret: "whsec_" + strings.Repeat("QUJD", 8)})
	require.NoError(t, err)
	defer other.Close()
	u := broadcast.Update{Title: "Forged", Status: broadcast.StatusResolved}.WithDefaults(time.Now())
	_, err = other.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "401 is permanent")
	assert.Empty(t, out.String())
}
