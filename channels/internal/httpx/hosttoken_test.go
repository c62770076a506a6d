package httpx

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A request to a webhook URL whose token is a subdomain, whose host does
// not resolve: the DNS error names the host, the token with it, and the
// error keeps neither the URL nor the token.
func TestTransportErrorHidesTokenInHost(t *testing.T) {
	const hook = "https://eo1a2b3c4d5e6f7g8.m.pipedream.net/x"
	c := NewClient(ClientOptions{})
	tr := c.Transport.(*http.Transport).Clone()
	tr.DialContext = func(_ context.Context, _, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}
	c.Transport = tr
	t.Cleanup(tr.CloseIdleConnections)
	for name, err := range sendAll(t, c, hook, redact.NewRedactor().WithURL(redact.NewURL(hook))) {
		assert.NotContains(t, err.Error(), "4d5", name)
		assert.True(t, strings.HasPrefix(err.Error(), "post: "), "%s: %v", name, err)
	}
	// Without a Redactor, the URL the error shows still hides the token.
	for name, err := range sendAll(t, c, hook, nil) {
		assert.Contains(t, err.Error(), `"https://REDACTED.m.pipedream.net/…"`, name)
	}
}
