package slack

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A server whose certificate the client does not trust fails at once
// (httpx.PermanentTLS), as the e-mail and IRC channels do, instead of being
// retried for ten minutes, in both modes. The error is the *url.Error of
// every HTTP channel; its text names the Web API's URL without its path,
// and leaves out the webhook's URL, which is the credential.
func TestUntrustedCertificateIsPermanent(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are logged
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tests := []struct {
		name string
		cfg  Config
		text string
	}{
		{"Web API", Config{Token: redact.NewSecret(testToken), BaseURL: srv.URL + "/api/", Channels: []string{"#ops"}},
			`#ops: chat.postMessage: Post "` + srv.URL + `/…": tls: failed to verify certificate`},
		{"webhook", Config{Name: "status-hook", WebhookURL: redact.NewURL(srv.URL + "/services/T0TEST0001/B0HOOK0001/" + hookSecret)},
			"slack: webhook: post: tls: failed to verify certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := New(tt.cfg)
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			_, err = ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			cause := err
			if te := (*broadcast.TargetsError)(nil); errors.As(err, &te) {
				require.Len(t, te.Failures, 1)
				cause = te.Failures[0].Err
			}
			var ue *url.Error
			assert.True(t, errors.As(cause, &ue), "%v", cause)
			assert.Contains(t, err.Error(), tt.text)
			assert.NotContains(t, err.Error(), hookSecret)
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}
