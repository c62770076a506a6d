package mastodon

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// An instance (or a proxy before it) that quotes the token in its answer,
// as is, URL-escaped, base64-encoded or in its error entity
// ({"error":"…"}, https://docs.joinmastodon.org/entities/Error), leaves
// it in the error of no operation: Send (the limits read and the post),
// Edit, Retract and Check, whatever the status, a foreign 2xx page
// included.
func TestNoOperationErrorHoldsAnEchoedToken(t *testing.T) {
	echo := func(r *http.Request) string {
		auth := r.Header.Get("Authorization")
		tok := auth[len("Bearer "):]
		return auth + " " + url.QueryEscape(tok) + " " + base64.StdEncoding.EncodeToString([]byte(tok))
	}
	for _, status := range []int{http.StatusOK, http.StatusUnauthorized, http.StatusNotFound,
		http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if status == http.StatusOK { // a captive portal's page
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(status)
				_, _ = w.Write([]byte("<html>Sign in first: " + echo(r) + "</html>"))
				return
			}
			body, _ := json.Marshal(map[string]string{"error": "token " + echo(r) + " refused"})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		ch, err := New(testConfig(srv.URL))
		require.NoError(t, err)
		ctx := context.Background()
		prev := broadcast.Receipt{Channel: ch.Name(), ID: "109372843234"}
		for op, do := range map[string]func() error{
			"send":    func() error { _, err := ch.Send(ctx, broadcast.NewMessage(testUpdate())); return err },
			"edit":    func() error { _, err := ch.Edit(ctx, broadcast.NewMessage(testUpdate()), prev); return err },
			"retract": func() error { return ch.Retract(ctx, prev) },
			"check":   func() error { return ch.Check(ctx) },
		} {
			err := do()
			if status == http.StatusNotFound && op == "retract" {
				require.NoError(t, err, "the instance's 404: already gone")
				continue
			}
			require.Error(t, err, "%s, status %d", op, status)
			channeltest.AssertNoSecret(t, err.Error(), testToken)
		}
		_ = ch.Close()
		srv.Close()
	}
}
