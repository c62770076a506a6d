package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A Cloudflare-style HTML error page echoing the request path near the
// 512-byte snippet limit: the snippet is cut before redaction, so a
// prefix of the webhook token survives in the error.
// A credential echoed where the error snippet is cut leaves no part of
// itself in the error: the body is redacted before it is cut.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(strings.Repeat("x", 450) + " path=" + r.URL.Path + " blocked"))
	}))
	defer srv.Close()
	ch, err := New(Config{WebhookURL: redact.NewURL(srv.URL + "/api/webhooks/" + testID + "/" + testToken)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{IncidentID: "inc-1", Title: "API down",
		Status: broadcast.StatusInvestigating, Body: "Errors."}))
	if err == nil {
		t.Fatal("want an error")
	}
	if prefix := testToken[:12]; strings.Contains(err.Error(), prefix) {
		t.Fatalf("error holds a prefix of the webhook token %q: %v", prefix, err)
	}
}
