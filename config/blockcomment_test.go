package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value that starts with "|" or ">" and then "#" ("password: |#Pa55…")
// is to the YAML library a block scalar's header, with its indicators,
// and a comment: an empty value, so the file was refused for what that
// leaves ("password: missing (username is set)") or, for a key that may
// be empty (a status page's title), loaded without a word. The error
// names the key by its path and says to quote the value, in one line,
// never quoting it; a header and a comment after a space ("| # …") is a
// comment on purpose, as before.
func TestBlockHeaderThenHashSaysQuote(t *testing.T) {
	const pw = "Pa55-w0rd-8c1f2e"
	webhook := func(key, value string) string {
		return lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    "+key+": "+value)
	}
	const bar, gt = `quote a value that starts with "|"`, `quote a value that starts with ">"`
	tests := []quoteHint{
		{"password", emailWithPassword("|#" + pw), "test.yaml:7: channels[0].password: empty", bar},
		{"folded", emailWithPassword(">#" + pw), "test.yaml:7: channels[0].password: empty", gt},
		{"chomping indicator", emailWithPassword("|-#" + pw), "test.yaml:7: channels[0].password: empty", bar},
		{"indentation indicator", emailWithPassword("|2#" + pw), "test.yaml:7: channels[0].password: empty", bar},
		{"both indicators", emailWithPassword(">2+#" + pw), "test.yaml:7: channels[0].password: empty", gt},
		{"after a tag", emailWithPassword("!!str |#" + pw), "test.yaml:7: channels[0].password: empty", bar},
		{"signing secret", webhook("secret", "|#"+pw), "test.yaml:4: channels[0].secret: empty", bar},
		{"secret header", lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    allow_unsigned: true",
			"    headers:", "      X-Api-Key: >#"+pw), "test.yaml:6: channels[0].headers.X-Api-Key: empty", gt},
		{"url with credentials", lines("channels:", "  - kind: webhook", "    url: |#https://user:"+pw+"@hooks.example.com/in",
			"    allow_unsigned: true"), "test.yaml:3: channels[0].url: empty", bar},
		{"token", lines("channels:", "  - kind: telegram", "    token: |-#123456:"+pw, "    chats: [-1001234567890]"),
			"test.yaml:3: channels[0].token: empty", bar},
		{"channel URL", lines("channels:", "  - |#slack://"+pw+"@C123"), "test.yaml:2: channels[0]: empty", bar},
		{"name", lines("channels:", "  - kind: console", "    name: |#ops"), "test.yaml:3: channels[0].name: empty", bar},
		{"title", lines("channels:", "  - kind: statuspage", "    dir: site", "    base_url: https://status.example.com/",
			"    title: >#3 outage"), "test.yaml:5: channels[0].title: empty", gt},
		{"IRC channel", lines("channels:", "  - kind: irc", "    server: irc.example.com:6697", "    nick: statusbot", "    channels:",
			"      - |#ops"), "test.yaml:6: channels[0].channels[0]: empty", bar},
		{"state", lines("state: |#outagecast.db", "channels: [console://]"), "test.yaml:1: state: empty", bar},
	}
	checkQuoteHints(t, tests, pw)
	for _, tt := range tests {
		_, _, err := parse(t, tt.yaml, nil)
		require.Error(t, err, tt.name)
		assert.NotContains(t, strings.TrimSpace(err.Error()), "\n", "%s: one fault", tt.name)
	}
	// "| # …", with a space, is a comment on purpose: no hint to quote.
	_, _, err := parse(t, emailWithPassword("| # set below"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "password: missing")
	assert.NotContains(t, err.Error(), "quote")
}
