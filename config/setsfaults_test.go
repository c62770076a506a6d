package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// After a value Prepare refuses, New's fault at a key with a "sets" tag
// is dropped only when a key Prepare refused sets the same Config field:
// one that sets another field has a cause of its own. Before, every such
// fault was dropped, so an email's oauth2_access_token refused beside a
// bad ca_file took another run to be told.
func TestSetsKeyFaultBesidePrepareFaultOfAnotherField(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("junk"), 0o600))
	_, err := parseIn(dir, lines(
		"channels:",
		"  - kind: email",
		"    host: smtp.example.com",
		"    ca_file: junk.pem",
		"    from: a@example.com",
		"    to: [ops@example.com]",
		"    auth: plain",
		"    username: u",
		"    password: hunter2-Zx9",
		"    oauth2_access_token: ya29.token-Zx9kQ2mW7pL4",
	), config.Loader{})
	assertFaults(t, err,
		`test.yaml:4: channels[0] (email "email"): ca_file: junk.pem: no PEM certificate`,
		`test.yaml:10: channels[0] (email "email"): oauth2_access_token: set, but auth is`,
	)
}

// An irc ca_file written with tls: false is named beside a client_cert
// refused for the same reason, though both set TLSConfig: its fault has
// a cause of its own. Before, New's "TLSConfig: set, but TLS is TLSOff",
// said of ca_file, was dropped as following from client_cert's.
func TestIRCCAFileWithTLSOffNamedBesideClientCert(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "bot")
	_, err := parseIn(dir, lines(
		"channels:",
		"  - kind: irc",
		"    server: irc.example.com:6697",
		"    nick: bot",
		`    channels: ["#ops"]`,
		"    tls: false",
		"    ca_file: bot.pem",
		"    client_cert: bot.pem",
		"    client_key: bot.key",
	), config.Loader{})
	assertFaults(t, err,
		`test.yaml:7: channels[0] (irc "irc"): ca_file: set, but TLS is false`,
		`test.yaml:8: channels[0] (irc "irc"): client_cert: set, but tls is false`,
	)
}
