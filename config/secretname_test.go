package config_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A channel's name is shown everywhere, unredacted: in Results, events,
// logs and errors. A name that holds one of the channel's own secrets (a
// token pasted under the wrong key, in the full form, the URL form's
// name= or the short form's name:) is refused, naming the key and never
// quoting the name, wherever it came from: written in the file or from
// the environment.
func TestNameHoldingASecretIsRefused(t *testing.T) {
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	const hookPassword = "hunter2-hook-pass"
	tests := []struct{ name, yaml, key string }{
		{"telegram's token as its name", lines("channels:", "  - kind: telegram", "    name: "+token,
			"    token: "+token, "    chats: ['@examplestatus']"), "name"},
		{"in a longer name", lines("channels:", "  - kind: telegram", "    name: bot "+token,
			"    token: "+token, "    chats: ['@examplestatus']"), "name"},
		{"the token's secret part", lines("channels:", "  - kind: telegram", "    name: AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
			"    token: "+token, "    chats: ['@examplestatus']"), "name"},
		{"in base64", lines("channels:", "  - kind: telegram", "    name: "+base64.StdEncoding.EncodeToString([]byte(token)),
			"    token: "+token, "    chats: ['@examplestatus']"), "name"},
		{"from the environment", lines("channels:", "  - kind: telegram", "    name: ${TOKEN}",
			"    token: ${TOKEN}", "    chats: ['@examplestatus']"), "name"},
		{"with another error too", lines("channels:", "  - kind: telegram", "    name: "+token,
			"    token: "+token, "    chats: [nope]"), "name"},
		{"URL form's name=", lines("channels:", "  - telegram://"+token+"@telegram?chats=@examplestatus&name="+token), ""},
		{"short form's name:", lines("channels:", "  - url: telegram://"+token+"@telegram?chats=@examplestatus",
			"    name: "+token), ""},
		{"webhook's secret", lines("channels:", "  - kind: webhook", "    name: "+secret,
			"    url: https://hooks.example.com/in", "    secret: "+secret), "name"},
		{"webhook's URL with credentials", lines("channels:", "  - kind: webhook", "    name: https://ops:"+hookPassword+"@hooks.example.com/in",
			"    url: https://ops:"+hookPassword+"@hooks.example.com/in", "    secret: "+secret), "name"},
		{"a URL's password", lines("channels:", "  - kind: webhook", "    name: "+hookPassword,
			"    url: https://ops:"+hookPassword+"@hooks.example.com/in", "    secret: "+secret), "name"},
		{"an IRC channel's key", lines("channels:", "  - kind: irc", "    name: letmein-ops-key",
			"    server: irc.example.com:6697", "    nick: outagecast", "    channels: ['#ops letmein-ops-key']"), "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"TOKEN": token})
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, "holds one of the channel's secrets")
			if tt.key != "" {
				assert.Contains(t, msg, ": "+tt.key+": holds one of the channel's secrets")
			}
			for _, s := range []string{token, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", hookPassword, "letmein-ops-key",
				strings.TrimPrefix(secret, "whsec_"), base64.StdEncoding.EncodeToString([]byte(token))} {
				assert.NotContains(t, msg, s)
			}
		})
	}
	// A name that holds no secret is taken.
	_, _, err := parse(t, lines("channels:", "  - kind: telegram", "    name: ops-telegram", "    token: "+token,
		"    chats: ['@examplestatus']"), nil)
	require.NoError(t, err)
}
