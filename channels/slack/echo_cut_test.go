package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A proxy's non-JSON error page echoing the Authorization header near the
// 512-byte snippet limit: httpx.Classify cuts the snippet before the
// redactor runs, so a prefix of the bot token survives in the error.
// A credential echoed where the error snippet is cut leaves no part of
// itself in the error: the body is redacted before it is cut.
func TestEchoAtTheSnippetCutIsRedacted(t *testing.T) {
	const token = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(strings.Repeat("x", 470) + " auth=" + r.Header.Get("Authorization") + " denied"))
	}))
	defer srv.Close()
	ch, err := New(Config{Token: redact.NewSecret(token), Channels: []string{"C0123456789"}, BaseURL: srv.URL + "/api/"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{IncidentID: "inc-1", Title: "API down",
		Status: broadcast.StatusInvestigating, Body: "Errors."}))
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), token[:20]) {
		t.Fatalf("error holds a prefix of the bot token: %v", err)
	}
}
