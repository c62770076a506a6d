package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// An IRC entry whose ca_file, client_cert and client_key are all wrong
// names each of them: before, Prepare stopped at the ca_file, and the
// certificate and its key were checked only on the next run. A
// certificate and a key that are each readable but no pair is still a
// fault of client_cert, and a key pasted in place of its file's name is
// still not quoted.
func TestIRCCertificateFaultsNamedTogether(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "bot")
	writeCert(t, dir, "other")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("junk"), 0o600))
	keyPEM, err := os.ReadFile(filepath.Join(dir, "bot.key"))
	require.NoError(t, err)
	head := []string{
		"channels:",
		"  - kind: irc",
		"    server: irc.example.com:6697",
		"    nick: bot",
		"    channels: [\"#ops\"]",
		"    sasl_external: true",
	}
	tests := []struct {
		name string
		keys []string
		env  map[string]string
		want []string
	}{
		{"all three missing", []string{
			"    ca_file: nope-ca.pem",
			"    client_cert: nope.pem",
			"    client_key: nope.key",
		}, nil, []string{
			`test.yaml:7: channels[0] (irc "irc"): ca_file: `,
			`test.yaml:8: channels[0] (irc "irc"): client_cert: `,
			`test.yaml:9: channels[0] (irc "irc"): client_key: `,
		}},
		{"no PEM, a pasted key", []string{
			"    ca_file: junk.pem",
			"    client_cert: junk.pem",
			"    client_key: ${IRC_KEY}",
		}, map[string]string{"IRC_KEY": string(keyPEM)}, []string{
			`test.yaml:7: channels[0] (irc "irc"): ca_file: junk.pem: no PEM certificate`,
			`test.yaml:8: channels[0] (irc "irc"): client_cert: `,
			`test.yaml:9: channels[0] (irc "irc"): client_key: holds a PEM block`,
		}},
		{"a bad ca_file beside a pair that does not match", []string{
			"    ca_file: junk.pem",
			"    client_cert: bot.pem",
			"    client_key: other.key",
		}, nil, []string{
			`test.yaml:7: channels[0] (irc "irc"): ca_file: junk.pem: no PEM certificate`,
			`test.yaml:8: channels[0] (irc "irc"): client_cert: `,
		}},
		{"a bad ca_file beside a good pair", []string{
			"    ca_file: junk.pem",
			"    client_cert: bot.pem",
			"    client_key: bot.key",
		}, nil, []string{
			`test.yaml:7: channels[0] (irc "irc"): ca_file: junk.pem: no PEM certificate`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yaml := lines(append(append([]string(nil), head...), tt.keys...)...)
			_, err := parseIn(dir, yaml, config.Loader{LookupEnv: env(tt.env)})
			assertFaults(t, err, tt.want...)
			assert.NotContains(t, err.Error(), "PRIVATE KEY")
		})
	}
}
