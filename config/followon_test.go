package config_test

import "testing"

// A fault of a channel entry that follows from another one its package
// refused is not named: mending the one mends the other. The channel
// packages name every fault of an entry, and left out a check that needs
// what an earlier one refused, but not every such check.
func TestChannelFaultsNotFollowOns(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		// 127.0.0.1 is a loopback host, to which plaintext AUTH is
		// allowed: refused with its port, the host is not known yet.
		{"email plaintext to a host refused", lines(
			"channels:",
			"  - kind: email",
			"    host: 127.0.0.1:25",
			"    tls: plaintext",
			"    username: u",
			"    password: secretpw1",
			"    from: a@example.com",
			"    to: [b@example.com]",
		), []string{
			`test.yaml:3: channels[0] (email "email"): host: includes a port; set port`,
		}},
		// Neither the Web API's token nor a webhook_url: which the entry
		// is for is not known, and the token's fault says what to set.
		{"slack of neither mode", lines(
			"channels:",
			"  - kind: slack",
			"    name: ops",
		), []string{
			`test.yaml:2: channels[0] (slack "ops"): token: missing (set token and channels, or webhook_url)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			assertFaults(t, err, tt.want...)
		})
	}
}

// A check of a channel entry that needs nothing another one refused is
// made all the same, its fault named with the others: the IRC channel
// left out every check of its secrets when its server was refused.
func TestChannelChecksBesideARefusedOne(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: irc",
		"    server: irc.example.com",
		"    nick: bot",
		"    channels: [\"#ops\"]",
		"    sasl_user: u",
	), nil)
	assertFaults(t, err,
		`test.yaml:3: channels[0] (irc "irc"): server: not host:port`,
		`test.yaml:6: channels[0] (irc "irc"): sasl_user: `,
	)
}
