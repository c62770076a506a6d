package teams

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

// A workflow URL whose certificate the client does not trust fails at
// once (httpx.PermanentTLS), as the e-mail and IRC channels do, instead of
// being retried for ten minutes. The error is the *url.Error of every HTTP
// channel; its text leaves out the URL, which is the credential.
func TestUntrustedCertificateIsPermanent(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are logged
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ch, err := New(Config{Name: "ops-teams", WebhookURL: redact.NewURL(srv.URL + triggerPath + "?" + triggerQuery)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })

	_, err = ch.Send(context.Background(), broadcast.NewMessage(update(broadcast.StatusInvestigating)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	var ue *url.Error
	assert.True(t, errors.As(err, &ue), "%v", err)
	assert.Contains(t, err.Error(), "teams: post: tls: failed to verify certificate")
	assert.NotContains(t, err.Error(), srv.URL)
}
