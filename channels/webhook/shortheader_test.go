package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A header value too short to be a credential ("http" of an
// X-Forwarded-Proto, "https", "Gone") is an ordinary word, not redacted
// from errors: it turned net/http's own words in a transport error
// ("http: server gave HTTP response to HTTPS client") into "REDACTED: …".
// A value long enough to be a credential still is.
func TestShortHeaderValueKeepsTransportError(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(plain.Close)
	tlsURL := "https://" + strings.TrimPrefix(plain.URL, "http://") + "/in"
	for _, value := range []string{"http", "https", "Gone"} {
		t.Run(value, func(t *testing.T) {
			ch := newTestChannel(t, Config{URL: redact.NewURL(tlsURL), AllowUnsigned: true,
				Headers: map[string]redact.Secret{"X-Forwarded-Proto": redact.NewSecret(value)}}, nil)
			_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "http: server gave HTTP response to HTTPS client")
			assert.NotContains(t, err.Error(), "REDACTED")
		})
	}
	// A value long enough to be a credential is redacted wherever it shows.
	ch := newTestChannel(t, Config{URL: redact.NewURL(tlsURL + "/k3y-0123456789"), AllowUnsigned: true,
		Headers: map[string]redact.Secret{"X-Api-Key": redact.NewSecret("k3y-0123456789")}}, nil)
	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "k3y-0123456789")
}
