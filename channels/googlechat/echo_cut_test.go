package googlechat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A non-JSON error page that echoes the webhook URL near the 512-byte
// snippet limit: the snippet is cut before redaction, so a prefix of the
// token survives in the error.
// A credential echoed where the error snippet is cut leaves no part of
// itself in the error: the body is redacted before it is cut.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		// The token starts at byte 490 of the body: the 512-byte snippet
		// keeps its first ~19 characters.
		_, _ = w.Write([]byte(strings.Repeat("x", 490) + " token=" + r.URL.Query().Get("token") + " was not found"))
	}))
	defer srv.Close()
	c, err := New(Config{WebhookURL: redact.NewURL(srv.URL + "/v1/spaces/" + testSpace + "/messages?key=" + testKey + "&token=" + testToken)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(context.Background(), broadcast.NewMessage(broadcast.Update{IncidentID: "inc-1", Title: "API down",
		Status: broadcast.StatusInvestigating, Body: "Errors."}))
	if err == nil {
		t.Fatal("want an error")
	}
	if prefix := testToken[:12]; strings.Contains(err.Error(), prefix) {
		t.Fatalf("error holds a prefix of the webhook token %q: %v", prefix, err)
	}
}
