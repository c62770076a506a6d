package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

const testHook = "https://hooks.slack.com/services/T0TEST0001/B0HOOK0001/" + hookSecret

// Bad configurations are refused with an error naming the field, and
// never quoting a secret.
func TestNewErrors(t *testing.T) {
	many := make([]string, MaxChannels+1)
	for i := range many {
		many[i] = "C" + strings.Repeat("0", 8) + string(rune('A'+i%26)) + string(rune('A'+i/26))
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Channels: []string{"#ops"}}, "slack: Config.Token: missing"},
		{Config{Token: redact.NewSecret("hunter2-" + hookSecret), Channels: []string{"#ops"}}, "slack: Config.Token: not a Slack token"},
		{Config{Token: redact.NewSecret("xoxb-12-" + hookSecret + "!"), Channels: []string{"#ops"}}, "slack: Config.Token: holds a character"},
		// The refresh token of an app that rotates its tokens cannot call
		// the Web API: every post would be refused.
		{Config{Token: redact.NewSecret("xoxe-1-" + hookSecret), Channels: []string{"#ops"}},
			`slack: Config.Token: a refresh token ("xoxe-…"), which cannot call the Web API: give the access token it refreshes ("xoxe.xoxb-…")`},
		{Config{Token: redact.NewSecret(testToken)}, "slack: Config.Channels: missing"},
		{Config{Token: redact.NewSecret(testToken), Channels: many}, "slack: Config.Channels: 51 conversations, more than 50"},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops", " "}}, "slack: Config.Channels[1]: empty"},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops", "ops"}}, `slack: Config.Channels[1]: the same as Channels[0]`},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"ops team"}}, `slack: Config.Channels[0]: "ops team" is not a conversation ID or name`},
		// A token or a webhook URL pasted as a conversation is not quoted.
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops", "Bearer " + testToken}},
			`slack: Config.Channels[1]: a value (not quoted: it holds a secret of the channel's Config) is not a conversation ID or name (as "C0123456789" or "#ops")`},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{testHook}},
			"slack: Config.Channels[0]: a URL (not quoted: it may hold credentials) is not a conversation ID or name"},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"ops " + hookSecret}},
			"slack: Config.Channels[0]: a value (not quoted: it may be a token) is not a conversation ID or name"},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}, BaseURL: "http://slack.example/api/"}, "slack: Config.BaseURL: must use https (http only for a loopback host)"},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}, BaseURL: "https://slack.example/api/?x=1"}, "slack: Config.BaseURL: must not have a query"},
		{Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}, Name: " ops"}, "slack: Config.Name: leading or trailing white space"},
		{Config{WebhookURL: redact.NewURL(testHook), Token: redact.NewSecret(testToken)}, "slack: Config.WebhookURL: set together with Token"},
		{Config{WebhookURL: redact.NewURL(testHook), Channels: []string{"#ops"}}, "slack: Config.Channels: set with WebhookURL"},
		{Config{WebhookURL: redact.NewURL(testHook), BaseURL: "https://slack.com/api/"}, "slack: Config.BaseURL: set with WebhookURL"},
		{Config{WebhookURL: redact.NewURL("https://hooks.slack.com/triggers/T0/1234/" + hookSecret)}, "slack: Config.WebhookURL: not an incoming webhook URL"},
		{Config{WebhookURL: redact.NewURL("http://hooks.slack.com/services/T0/B0/" + hookSecret)}, "slack: Config.WebhookURL: must use https"},
	} {
		_, err := New(c.cfg)
		if assert.Error(t, err, c.want) {
			assert.Contains(t, err.Error(), c.want)
			channeltest.AssertNoSecret(t, err.Error(), hookSecret, testToken)
		}
	}
}

// A token of an app that rotates its tokens ("xoxe.xoxb-1-…", which
// expires after 12 hours) is a bot token too: New takes it, and Send
// posts with it.
func TestRotatingToken(t *testing.T) {
	const rotating = "xoxe.xoxb-1-MS0yLTI3NDE5MTQyMzAtNTUxOTAzNjExNy1rUjd2UTJt"
	f := newFakeSlack(t, rotating, "#ops")
	ch, err := New(Config{Token: redact.NewSecret(rotating), Channels: []string{"#ops"}, BaseURL: f.srv.URL + "/api/"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	assert.Len(t, f.messages(), 1)
	for _, bad := range []string{"xoxe.xoxb", "xoxe.xoxb-", "xoxe.hunter2-1-abc", "xoxe.xoxb.xoxb-1-abc"} {
		_, err := New(Config{Token: redact.NewSecret(bad), Channels: []string{"#ops"}})
		assert.ErrorContains(t, err, "slack: Config.Token: not a Slack token", bad)
	}
}

// A template of the user's own replaces the default under its name.
func TestTemplates(t *testing.T) {
	set, err := templates.Default().With(Template, "{{.Headline}} — {{.Title}} {{.URL}}")
	require.NoError(t, err)
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}, Templates: set})
	u := update(1, broadcast.StatusInvestigating)
	u.Title = "Errors & <timeouts>"
	send(t, ch, u, broadcast.Thread{})
	assert.Equal(t, "Investigating — Errors &amp; &lt;timeouts&gt; <https://status.example.com/incidents/42>",
		f.messages()[0].sections[0], "a template writes mrkdwn and never escapes")
}

// The sample configuration's YAML decodes into a Config New accepts; the
// Config encodes without its secret.
func TestConfigYAML(t *testing.T) {
	for _, doc := range []string{`
name: ops-slack
token: xoxb-2741914230-5519036117-kR7vQ2mZpL9sX4cW1nB8tYe3
channels: ["#ops", C0STATUS02]
`, `
name: status-hook
webhook_url: https://hooks.slack.com/services/T0TEST0001/B0HOOK0001/Wq8zN3vX6bR1tY4uP7sK2mLc
`} {
		var cfg Config
		require.NoError(t, yaml.Unmarshal([]byte(doc), &cfg))
		_, err := New(cfg)
		require.NoError(t, err)
		out, err := yaml.Marshal(cfg)
		require.NoError(t, err)
		channeltest.AssertNoSecret(t, string(out), testToken, hookSecret)
		assert.Contains(t, string(out), "name: ")
	}
	var cfg Config
	require.NoError(t, yaml.Unmarshal([]byte("webhook_url: "+testHook), &cfg))
	assert.Equal(t, redact.NewURL(testHook), cfg.WebhookURL)
}

// A client given in Config is used as a copy that follows no redirect, as
// the channel's own does: a redirect could take the credential elsewhere.
// The given client is left as it was, and Close leaves it alone.
func TestGivenClientFollowsNoRedirect(t *testing.T) {
	given := &http.Client{}
	ch, err := New(Config{Token: redact.NewSecret(testToken), Channels: []string{"#ops"}, HTTPClient: given})
	require.NoError(t, err)
	require.NotNil(t, ch.s.client.CheckRedirect)
	assert.ErrorIs(t, ch.s.client.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	assert.Nil(t, given.CheckRedirect)
	assert.False(t, ch.s.client.Own())
	assert.NoError(t, ch.Close())
}

// The fallback text ("short") only stands in notifications for the
// section, which shows the update: a fallback template that shows nothing
// for some update (a branch for some statuses) is no reason to refuse the
// channel, nor the post. The text is left out then (a correction's says it
// is one), as Slack takes a message of blocks alone. Before, New refused
// such a template, and a Send of such an update failed for good.
func TestBlankFallbackIsLeftOut(t *testing.T) {
	set, err := templates.Default().With(FallbackTemplate, `{{if eq .Status "resolved"}}Resolved: {{.Title}}{{end}}`)
	require.NoError(t, err)
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}, Templates: set})
	u := update(1, broadcast.StatusInvestigating)
	r := send(t, ch, u, broadcast.Thread{})
	fix := correction(u, broadcast.StatusIdentified, broadcast.Thread{Root: r})
	fix.Update.ID = "u1-fix" // a correction posted anew
	_, err = ch.Send(context.Background(), fix)
	require.NoError(t, err)
	msgs := f.messages()
	require.Len(t, msgs, 2)
	assert.Empty(t, msgs[0].text, "no fallback")
	assert.Contains(t, msgs[0].sections[0], "Elevated error rates on the CDN", "the section shows the update")
	assert.Equal(t, "Correction", msgs[1].text, "a correction's fallback says so")
}
