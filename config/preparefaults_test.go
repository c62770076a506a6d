package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A value Prepare refuses (a ca_file, a client certificate, a directory)
// is named with the faults the channel's package finds in the rest of the
// entry: before, Prepare's error stopped the entry before New ran, and a
// file with a bad ca_file and a bad from named the ca_file alone. What New
// says of a value Prepare could not make follows from Prepare's fault,
// and is not named.
func TestPrepareFaultsNamedWithNewOnes(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "bot")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("junk"), 0o600))
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"email ca_file and from", lines(
			"channels:",
			"  - kind: email",
			"    host: smtp.example.com",
			"    ca_file: junk.pem",
			"    from: not an address",
			"    to: [ops@example.com]",
		), []string{
			`test.yaml:4: channels[0] (email "email"): ca_file: junk.pem: no PEM certificate`,
			`test.yaml:5: channels[0] (email "email"): from: `,
		}},
		{"irc client_cert and nick, no follow-on of the certificate", lines(
			"channels:",
			"  - kind: irc",
			"    server: irc.example.com:6697",
			"    nick: \"bad nick\"",
			"    channels: [\"#ops\"]",
			"    sasl_external: true",
			"    client_cert: nope.pem",
			"    client_key: bot.key",
		), []string{
			`test.yaml:4: channels[0] (irc "irc"): nick: `,
			`test.yaml:7: channels[0] (irc "irc"): client_cert: `,
		}},
		{"irc ca_file and channels", lines(
			"channels:",
			"  - kind: irc",
			"    server: irc.example.com:6697",
			"    nick: bot",
			"    channels: [ops]",
			"    ca_file: junk.pem",
		), []string{
			`test.yaml:5: channels[0] (irc "irc"): channels[0]: `,
			`test.yaml:6: channels[0] (irc "irc"): ca_file: junk.pem: no PEM certificate`,
		}},
		// The page's Config is made with its Dir left empty: New's
		// "dir: missing" follows from Prepare's fault.
		{"statuspage dir, no follow-on of it", lines(
			"channels:",
			"  - kind: statuspage",
			"    dir: ~/site",
			"    base_url: https://status.example.com/",
		), []string{
			`test.yaml:3: channels[0] (statuspage "statuspage"): dir: ~/site: ~ is not your home directory here`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIn(dir, tt.yaml, config.Loader{})
			assertFaults(t, err, tt.want...)
		})
	}
}
