package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A webhook URL whose token is a subdomain of the service's: a DNS or TLS
// error names the host, as the resolver asked for it (in lower case), and
// ShowURL shows it; neither keeps the token, and hosts of no token show
// whole.
func TestURLTokenInSubdomain(t *testing.T) {
	const hook = "https://eo1A2b3C4d5E6f7G8.m.pipedream.net/x"
	r := redact.NewRedactor().WithURL(redact.NewURL(hook))
	for _, text := range []string{
		"dial tcp: lookup eo1A2b3C4d5E6f7G8.m.pipedream.net: no such host",
		"dial tcp: lookup eo1a2b3c4d5e6f7g8.m.pipedream.net on 127.0.0.53:53: no such host",
		"x509: certificate is valid for *.example.com, not eo1a2b3c4d5e6f7g8.m.pipedream.net",
	} {
		assert.True(t, r.Holds(text), text)
		assert.NotContains(t, r.String(text), "4d5", text)
	}
	assert.Equal(t, "https://REDACTED.m.pipedream.net/…", redact.ShowURL(hook))
	assert.Equal(t, "https://REDACTED.m.pipedream.net:8443/…", redact.ShowURL("https://eo1a2b3c4d5e6f7g8.m.pipedream.net:8443/x"))
	assert.Equal(t, "https://REDACTED.m.pipedream.net/…", redact.NewURL(hook).String())
	assert.ErrorIs(t, redact.CheckName("hook eo1a2b3c4d5e6f7g8", nil, []redact.URL{redact.NewURL(hook)}), redact.ErrSecretInName)
	for _, shown := range []string{
		"https://hooks.slack.com/…",
		"https://outlook.office365.com/…", // the registered domain is none
		"https://acme.webhook.office.com/…",
		"http://127.0.0.1:8080/…",
		"http://[::1]:8080/…",
		"https://a1b2c3d4e5f6g7h8i9j0.com/…",
	} {
		assert.Equal(t, shown, redact.ShowURL(shown[:len(shown)-len("…")]+"x"), shown)
	}
}
