package config_test

import (
	"testing"

	"github.com/outagecast/outagecast/config"
)

// A check of a channel entry that needs nothing another check refused is
// made all the same, its fault named with the others, and no fault that
// follows from the refused value is: the e-mail channel left out every
// check of its TLS configuration when its host was refused, the e-mail,
// IRC and Slack channels every check of their lists for two entries the
// same when one entry was refused, and the IRC channel every check of its
// TLS settings when its server was refused.
func TestChannelChecksBesideRefusedOnes(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "ca")
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"email TLSConfig with plaintext beside a host refused", lines(
			"channels:",
			"  - kind: email",
			"    host: smtp.example.com:25",
			"    tls: plaintext",
			"    ca_file: ca.pem",
			"    from: a@example.com",
			"    to: [b@example.com]",
		), []string{
			`test.yaml:3: channels[0] (email "email"): host: includes a port; set port`,
			`test.yaml:5: channels[0] (email "email"): ca_file: set, but TLS is plaintext`,
		}},
		{"email recipients the same beside one refused", lines(
			"channels:",
			"  - kind: email",
			"    host: smtp.example.com",
			"    from: a@example.com",
			"    to: [not an address, b@example.com, B@example.com]",
		), []string{
			`test.yaml:5: channels[0] (email "email"): to[0]: invalid address`,
			`test.yaml:5: channels[0] (email "email"): to[2]: the same as to[1]`,
		}},
		{"irc TLS settings beside a server refused", lines(
			"channels:",
			"  - kind: irc",
			"    server: irc.example.com",
			"    tls: false",
			"    ca_file: ca.pem",
			"    nick: bot",
			"    channels: [\"#ops\"]",
		), []string{
			`test.yaml:3: channels[0] (irc "irc"): server: not host:port`,
			`test.yaml:5: channels[0] (irc "irc"): ca_file: set, but TLS is false`,
		}},
		{"irc channels the same beside one refused", lines(
			"channels:",
			"  - kind: irc",
			"    server: irc.example.com:6697",
			"    nick: bot",
			"    channels: [ops, \"#a\", \"#A\"]",
		), []string{
			`test.yaml:5: channels[0] (irc "irc"): channels[0]: does not start with a channel prefix`,
			`test.yaml:5: channels[0] (irc "irc"): channels[2]: the same as channels[1]`,
		}},
		{"slack channels: each refused, and two the same beside them", lines(
			"channels:",
			"  - kind: slack",
			"    token: xoxb-123-456-abcdef",
			"    channels: [\"a b\", \"#x\", \"X\", \"\"]",
		), []string{
			`test.yaml:4: channels[0] (slack "slack"): channels[0]: "a b" is not a conversation ID or name`,
			`test.yaml:4: channels[0] (slack "slack"): channels[3]: empty`,
			`test.yaml:4: channels[0] (slack "slack"): channels[2]: the same as channels[1]`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIn(dir, tt.yaml, config.Loader{})
			assertFaults(t, err, tt.want...)
		})
	}
}
