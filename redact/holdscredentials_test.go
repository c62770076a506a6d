package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// HoldsCredentials tells a URL that may hold credentials, which a
// Redactor must hold, from one of a host and a path of words, which holds
// nothing WithURL would hide beyond the URL itself.
func TestURLHoldsCredentials(t *testing.T) {
	for raw, want := range map[string]bool{
		"":                                       false,
		"https://docs.example.com/":              false,
		"https://docs.example.com/guides/status": false,
		"https://status.example.com/incidents/cdn": false,
		"https://user:pw@example.com/":             true,
		"https://bob@example.com/":                 true,
		"https://example.com/in?lang=en":           true,
		"https://example.com/cb#access_token=abc":  true,
		"https://example.com/services/abcDEFghij":  true, // a token-like path segment
		"https://example.com/hooks/Kq7vT2xN9pLm":   true,
		"https://example.com/a%2FKq7vT2xN9pLm":     true,
		"https://user:pa/ss@example.com/":          true, // does not parse
		"https://tokenvalue/x@example.com/":        true, // a user name cut short by a "/"
		"mailto:ops@example.com":                   true,
		"ircs://irc.example.com:x/ops":             true,
		"hunter2":                                  true, // no URL: hidden whole
		"file:///etc/outagecast/key":               true, // no host: hidden whole
		"https://host:/x":                          true,
	} {
		assert.Equal(t, want, redact.NewURL(raw).HoldsCredentials(), raw)
	}
}
