package telegram

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A server whose certificate the client does not trust fails at once
// (httpx.PermanentTLS), as the e-mail and IRC channels do, instead of being
// retried for the Broadcaster's ten minutes: only the operator can fix it.
func TestUntrustedCertificateIsPermanent(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are logged
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ch, err := New(Config{Token: redact.NewSecret(testToken), Chats: []string{"@status"}, BaseURL: srv.URL})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })

	_, err = ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "tls: failed to verify certificate")
	assert.NotContains(t, err.Error(), testToken)
}
