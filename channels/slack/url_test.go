package slack

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// URL → Config → URL gives the URL back, and the Config is valid.
func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		"slack://xoxb:2741914230-5519036117-kR7vQ2mZpL9sX4cW1nB8tYe3@slack.com/C0STATUS02",
		"slack://xoxb:2741914230-5519036117-kR7vQ2mZpL9sX4cW1nB8tYe3@slack.com/%23ops/C0STATUS02/eng?name=ops-slack",
		"slack://xoxp:1-2-3@slack-gov.com/C0STATUS02",
		"slack://xoxe.xoxb:1-MS0yLTI3NDE5MTQyMzAtNTUxOTAzNjExNy1rUjd2UTJt@slack.com/C0STATUS02",
		"slack+http://xoxb:1-2-3@127.0.0.1:8080/ops",
		"slack+http://xoxb:1-2-3@127.0.0.1:8080/ops?base_url=http%3A%2F%2F127.0.0.1%3A8080%2Fslack%2Fapi%2F",
		"slack://hook:T0TEST0001-B0HOOK0001-" + hookSecret + "@hooks.slack.com",
		"slack://hook:T0TEST0001-B0HOOK0001-" + hookSecret + "@hooks.slack.com?name=status-hook",
		"slack+http://hook:T0-B0-a-b-c@localhost:9",
	} {
		cfg, err := ParseURL(raw)
		require.NoError(t, err, raw)
		_, err = New(cfg)
		require.NoError(t, err, raw)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL of ParseURL(%s)", raw)
	}
}

// Config → URL → Config gives the Config back.
func TestConfigURLRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}},
		{Name: "ops-slack", Token: redact.NewSecret(testToken), Channels: []string{"#ops", "C0STATUS02", "eng"}},
		{Token: redact.NewSecret(testToken), Channels: []string{"ops"}, BaseURL: "https://slack-gov.com/api/"},
		{Token: redact.NewSecret(testToken), Channels: []string{"ops"}, BaseURL: "http://127.0.0.1:8080/api/"},
		{Token: redact.NewSecret(testToken), Channels: []string{"ops"}, BaseURL: "http://[::1]:8080/slack/api/"},
		{WebhookURL: redact.NewURL(testHook)},
		{Name: "status-hook", WebhookURL: redact.NewURL("http://127.0.0.1:9/services/T0/B0/" + hookSecret)},
	} {
		got, err := ParseURL(cfg.URL().Reveal())
		require.NoError(t, err, "%+v", cfg)
		assert.Equal(t, cfg, got)
	}
}

// A URL prints without its secret.
func TestURLPrintsNoSecret(t *testing.T) {
	for _, cfg := range []Config{{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}}, {WebhookURL: redact.NewURL(testHook)}} {
		u := cfg.URL()
		for _, verb := range []string{"%v", "%s", "%q", "%+v", "%#v"} {
			channeltest.AssertNoSecret(t, fmt.Sprintf(verb, u), testToken, hookSecret)
		}
	}
	assert.Equal(t, "slack://slack.com/…", Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}}.URL().String())
	assert.Equal(t, "slack://hooks.slack.com", Config{WebhookURL: redact.NewURL(testHook)}.URL().String())
}

// Bad URLs are refused with an error naming the part, never quoting the
// token or webhook secret.
func TestParseURLErrors(t *testing.T) {
	tok := "2741914230-5519036117-kR7vQ2mZpL9sX4cW1nB8tYe3"
	for _, c := range []struct{ raw, want string }{
		{"https://xoxb:" + tok + "@slack.com/ops", "slack: URL: scheme: want slack:// (or slack+http:// for plain http to a loopback host)"},
		{"slack://xoxb:" + tok + "@/ops", "slack: URL: host: missing"},
		{"slack://slack.com/ops", "slack: URL: user information: missing"},
		{"slack://xoxb@slack.com/ops", "slack: URL: user information: missing"},
		{"slack://xoxb:?tok=" + tok + "@slack.com/ops", "slack: URL: user information: missing"},
		{"slack://xoxb:?tok@slack.com/ops?name=ops", "slack: URL: user information: missing"},
		{"slack://bot:" + tok + "@slack.com/ops", `slack: URL: user information: not "xoxb", "xoxp" or "hook"`},
		{"slack://xoxb:" + tok + "@slack.com", "slack: URL: path: no channel"},
		{"slack://xoxb:" + tok + "@slack.com/ops//eng", "slack: URL: path: channel 2 is empty"},
		{"slack://xoxb:" + tok + "@slack.com/ops?channel=eng", `slack: URL: query: unknown parameter "channel"`},
		{"slack://xoxb:" + tok + "@slack.com/ops?name=a&name=b", `slack: URL: query: "name" given 2 times`},
		{"slack://xoxb:" + tok + "@slack.com/ops?base_url=%", "slack: URL: query: parameter 1: bad %-escape"},
		{"slack://xoxb:" + tok + "@slack.com/ops?name=ops;base_url=x", `slack: URL: query: parameter 1: holds ";"`},
		{"slack://xoxb:" + tok + "@slack.com/ops#x", "slack: URL: fragment: not allowed"},
		// The Config keeps base_url as a plain string, which prints.
		{"slack://xoxb:" + tok + "@slack.com/ops?base_url=" + url.QueryEscape("https://proxy:"+hookSecret+"@slack.example.com/api/"),
			"slack: URL: query base_url: must not hold credentials"},
		{"slack://xoxb:" + tok + "@slack.com/ops?base_url=" + url.QueryEscape("https://proxy:7319/"+hookSecret+"@slack.example.com/api/"),
			"slack: URL: query base_url: port: followed by a path"},
		{"slack://hook:T0-" + hookSecret + "@hooks.slack.com", "slack: URL: user information: hook: want"},
		{"slack://hook:T0-B0-" + hookSecret + "@hooks.slack.com/ops", "slack: URL: path: not allowed for an incoming webhook"},
		{"slack://xoxb:" + tok + "%zz@slack.com/ops", "slack: URL: does not parse"},
	} {
		_, err := ParseURL(c.raw)
		if assert.Error(t, err, c.raw) {
			assert.Contains(t, err.Error(), c.want, c.raw)
			channeltest.AssertNoSecret(t, err.Error(), tok, hookSecret)
		}
	}
}

// The URL's channels are what New names its targets by.
func TestParseURLChannels(t *testing.T) {
	cfg, err := ParseURL("slack://xoxb:1-2-3@slack.com/%23ops/C0STATUS02")
	require.NoError(t, err)
	assert.Equal(t, Config{Token: redact.NewSecret("xoxb-1-2-3"), Channels: []string{"#ops", "C0STATUS02"}}, cfg)
}
