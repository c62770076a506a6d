package email_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/email"
)

// A password that starts with digits, its "/", "?" or "#" not %-escaped,
// ends the URL's authority there: url.Parse reads the user name as the
// host and the digits as its port, and the rest of the password, with
// the real server, as the path, query or fragment. The error names the
// port, says how to write the password, and quotes none of it, where it
// spoke of recipients or an unknown parameter.
func TestParseURLRefusesPasswordCutAfterDigits(t *testing.T) {
	const q = "?from=s@example.com&to=a@example.com"
	for raw, part := range map[string]string{
		"smtp://user:7319/hunter2@smtp.example.com:587/" + q:     "path",
		"smtps://user:7319/hunter2@smtp.example.com/" + q:        "path",
		"smtp://user:7319?hunter2@smtp.example.com:587/" + q:     "query",
		"smtp://user:7319?hunter2=x@smtp.example.com/" + q:       "query",
		"smtp://user:7319?timeout=hunter2@smtp.example.com/" + q: "query",
		"smtp://user:7319#hunter2@smtp.example.com:587/" + q:     "fragment",
	} {
		_, err := email.ParseURL(raw)
		if !assert.Error(t, err, raw) {
			continue
		}
		assert.Contains(t, err.Error(), `email: URL: port: followed by a `+part+` holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the `+part+`, %40)`, raw)
		for _, piece := range []string{"7319", "hunter2"} {
			assert.NotContains(t, err.Error(), piece, raw)
		}
	}
}

// The addresses of from, to and list_unsubscribe keep their "@" with a
// port and no user information, and a %-escaped password parses.
func TestParseURLKeepsItsAtSigns(t *testing.T) {
	cfg, err := email.ParseURL("smtp://127.0.0.1:1025/?tls=plaintext&from=s@example.com&to=a@example.com,b@example.net" +
		"&list_unsubscribe=mailto:unsubscribe@example.com")
	if assert.NoError(t, err) {
		assert.Equal(t, 1025, cfg.Port)
		assert.Equal(t, []string{"a@example.com", "b@example.net"}, cfg.To)
		assert.Equal(t, "mailto:unsubscribe@example.com", cfg.ListUnsubscribe)
	}
	cfg, err = email.ParseURL("smtp://user:7319%2Fhunter2@smtp.example.com:587/?from=s@example.com&to=a@example.com")
	if assert.NoError(t, err) {
		assert.Equal(t, "7319/hunter2", cfg.Password.Reveal())
		assert.Equal(t, 587, cfg.Port)
	}
}
