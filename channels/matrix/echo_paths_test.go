package matrix

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

// A homeserver (or a proxy before it) that quotes the access token in its
// answer, as is, URL-escaped or base64-encoded, in the standard error body
// ({"errcode":…,"error":…}, Matrix client-server API, "Standard error
// response") or in a page, leaves it in the error of no operation: Send
// (the alias resolved and the event sent), Edit (the original read back),
// Retract and Check.
func TestNoOperationErrorHoldsAnEchoedToken(t *testing.T) {
	echo := func(r *http.Request) string {
		auth := r.Header.Get("Authorization")
		tok := auth[len("Bearer "):]
		return auth + " " + url.QueryEscape(tok) + " " + base64.StdEncoding.EncodeToString([]byte(tok))
	}
	for _, tt := range []struct {
		status int
		code   string // "": a page, not JSON
	}{
		{http.StatusOK, ""}, {http.StatusUnauthorized, "M_UNKNOWN_TOKEN"}, {http.StatusForbidden, "M_FORBIDDEN"},
		{http.StatusTooManyRequests, "M_LIMIT_EXCEEDED"}, {http.StatusBadGateway, ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.code == "" {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte("<html>" + echo(r) + "</html>"))
				return
			}
			body, _ := json.Marshal(map[string]any{"errcode": tt.code, "error": "token " + echo(r), "retry_after_ms": 1000})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tt.status)
			_, _ = w.Write(body)
		}))
		ch := newTestChannel(t, confConfig(srv.URL))
		ctx := context.Background()
		prev := broadcast.Receipt{Channel: ch.Name(), ID: "$ev1", Meta: map[string]string{confTargets[0]: "$ev1"}}
		for op, do := range map[string]func() error{
			"send": func() error {
				_, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "x")))
				return err
			},
			"edit": func() error {
				_, err := ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusIdentified, "y")), prev)
				return err
			},
			"retract": func() error { return ch.Retract(ctx, prev) },
			"check":   func() error { return ch.Check(ctx) },
		} {
			err := do()
			require.Error(t, err, "%s, status %d", op, tt.status)
			channeltest.AssertNoSecret(t, err.Error(), confToken)
		}
		srv.Close()
	}
}
