package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A notification whose update fails validation (here, a title recorded by
// an earlier version past today's limit) is answered 400 and logged, as
// every other refusal is, naming the group, the incident and the field at
// fault, with the secrets hidden and without the update's text.
func TestInvalidUpdateIsLogged(t *testing.T) {
	const secret = "tok-5e6f7a8b9c0d"
	ch := &recorder{name: "x"}
	store := broadcast.NewMemoryStore()
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}, Store: store})
	require.NoError(t, err)
	defer b.Close()
	var logs syncbuf.Buffer
	h := &handler{b: b, store: store, log: slog.New(slog.NewTextHandler(&logs, nil)),
		say: func(_, s string) string { return strings.ReplaceAll(s, secret, "${TOKEN}") }}
	p, err := decodePayload(bytes.NewReader(sample(t, "firing.json")))
	require.NoError(t, err)
	id := incidentID(p.GroupKey)
	long := strings.Repeat("Edge errors "+secret+" ", 20) // past broadcast.MaxTitleLength
	h.remember(context.Background(), broadcast.Update{ID: "u-old", IncidentID: id, Title: long,
		Status: broadcast.StatusInvestigating, Time: time.Now().Add(-time.Hour)}, nil)

	srv := httptest.NewServer(h.routes())
	defer srv.Close()
	code, _ := post(t, srv, sample(t, "firing.json"))
	require.Equal(t, http.StatusBadRequest, code)
	assert.Empty(t, ch.sent())
	line := logs.String()
	assert.Contains(t, line, "level=WARN")
	assert.Contains(t, line, "Title")
	assert.Contains(t, line, "incident="+id)
	assert.NotContains(t, line, secret)
	assert.NotContains(t, line, "Edge errors")
}
