package statuspageio

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A proxy's error page echoing the Authorization header near the 512-byte
// snippet limit: the snippet is cut before redaction, so a prefix of the
// API key survives in the error.
// A credential echoed where the error snippet is cut leaves no part of
// itself in the error: the body is redacted before it is cut.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	const key = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(strings.Repeat("x", 480) + " auth=" + r.Header.Get("Authorization") + " rejected"))
	}))
	defer srv.Close()
	ch, err := New(Config{APIKey: redact.NewSecret(key), PageID: "kctbh9vrtdwd", BaseURL: srv.URL, RateLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{IncidentID: "inc-1", Title: "API down",
		Status: broadcast.StatusInvestigating, Body: "Errors."}))
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), key[:12]) {
		t.Fatalf("error holds a prefix of the API key: %v", err)
	}
}
