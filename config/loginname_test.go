package config_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel named by its login in a form the channel's Redactor hides
// (an e-mail or IRC SASL "user:password", or the base64 of SASL PLAIN's
// login), with a password under redact.MinNameSecret bytes, passed the
// loader's own name check, which knew the password alone; when Prepare
// refused another value (a ca_file), the entry's faults quoted the name
// as the channel's: `channels[0] (email "ops:pw12"): ca_file: …`. The
// check now knows the login, so the name is refused at its key and no
// fault quotes it.
func TestLoginAsNameNotQuotedBesidePrepareFault(t *testing.T) {
	sasl := base64.StdEncoding.EncodeToString([]byte("\x00ops\x00pw12"))
	basic := base64.StdEncoding.EncodeToString([]byte("ops:pw12"))
	tests := map[string]struct{ yaml, name string }{
		"email": {lines("channels:", "  - kind: email", "    host: smtp.example.com", "    from: a@example.com",
			"    to: [b@example.com]", "    username: ops", "    password: pw12", "    name: 'ops:pw12'",
			"    ca_file: /nonexistent/ca.pem"), "ops:pw12"},
		"irc": {lines("channels:", "  - kind: irc", "    server: irc.example.com:6697", "    nick: bot",
			"    channels: ['#ops']", "    sasl_user: ops", "    sasl_password: pw12", "    name: 'irc "+sasl+"'",
			"    ca_file: /nonexistent/ca.pem"), "irc " + sasl},
		"webhook": {lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in",
			"    headers: {Authorization: 'Basic "+basic+"'}", "    name: 'hook "+basic+"'"), "hook " + basic},
	}
	for kind, tt := range tests {
		t.Run(kind, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), ": name: holds one of the channel's secrets")
			assert.NotContains(t, err.Error(), tt.name)
			assert.NotContains(t, err.Error(), "pw12")
		})
	}
}
