package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/outagecast/outagecast/config"
)

// A client_key file without a PEM private key is said of client_key, as
// a client_cert file without a certificate is of client_cert, beside the
// other faults. Before, tls.X509KeyPair's "failed to find any PEM data in
// key input" was said of client_cert, whose file was right.
func TestIRCKeyFileWithoutKeyNamedAtClientKey(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "bot")
	if err := os.WriteFile(filepath.Join(dir, "junk.key"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := parseIn(dir, lines(
		"channels:",
		"  - kind: irc",
		"    server: irc.example.com:6697",
		"    nick: bot",
		"    channels: [\"#ops\"]",
		"    sasl_external: true",
		"    client_cert: bot.pem",
		"    client_key: junk.key",
	), config.Loader{})
	assertFaults(t, err, `test.yaml:8: channels[0] (irc "irc"): client_key: junk.key: no PEM private key`)
}
