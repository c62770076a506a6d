package discord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/internal/credquery"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

const hookURL = "https://discord.com/api/webhooks/" + testID + "/" + testToken

// New refuses a bad Config with an error naming the field, never quoting
// the token.
func TestNewErrors(t *testing.T) {
	// Runs on the templates' own sample, which has components, not on
	// every update.
	badTmpl, err := templates.Default().With("markdown", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no URL", Config{}, `discord: Config.WebhookURL: missing (an absolute https URL, as "https://discord.com/api/webhooks/{id}/{token}")`},
		{"not a URL", Config{WebhookURL: redact.NewURL("https://discord.com/%zz/" + testToken)}, "discord: Config.WebhookURL: not a URL"},
		{"scheme", Config{WebhookURL: redact.NewURL("ftp://discord.com/api/webhooks/1/" + testToken)}, `discord: Config.WebhookURL: not an absolute https URL, as "https://discord.com/api/webhooks/{id}/{token}"`},
		{"plain http", Config{WebhookURL: redact.NewURL("http://discord.com/api/webhooks/1/" + testToken)}, "discord: Config.WebhookURL: must use https (http only for a loopback host)"},
		{"path", Config{WebhookURL: redact.NewURL("https://discord.com/webhooks/1/" + testToken)}, "discord: Config.WebhookURL: want the path /api/webhooks/{id}/{token}"},
		{"slack path", Config{WebhookURL: redact.NewURL(hookURL + "/slack")}, "discord: Config.WebhookURL: want the path /api/webhooks/{id}/{token}"},
		{"query", Config{WebhookURL: redact.NewURL(hookURL + "?thread_id=1")}, "discord: Config.WebhookURL: must not have a query (set ThreadID instead of thread_id=)"},
		{"user info", Config{WebhookURL: redact.NewURL("https://u:" + testToken + "@discord.com/api/webhooks/1/x")}, "discord: Config.WebhookURL: must not hold credentials"},
		{"id", Config{WebhookURL: redact.NewURL("https://discord.com/api/webhooks/abc/" + testToken)}, "discord: Config.WebhookURL: the webhook id is not a number"},
		{"token", Config{WebhookURL: redact.NewURL("https://discord.com/api/webhooks/1/" + testToken + "%21")}, "discord: Config.WebhookURL: the token has characters other than letters, digits, '-' and '_'"},
		{"name", Config{Name: " d", WebhookURL: redact.NewURL(hookURL)}, "discord: Config.Name: leading or trailing white space"},
		{"thread", Config{WebhookURL: redact.NewURL(hookURL), ThreadID: "x1"}, "discord: Config.ThreadID: not a Discord id (digits)"},
		{"forum and thread", Config{WebhookURL: redact.NewURL(hookURL), ThreadID: "1", Forum: true}, "discord: Config.Forum: set Forum or ThreadID, not both"},
		{"tags without forum", Config{WebhookURL: redact.NewURL(hookURL), ForumTags: []string{"1"}}, "discord: Config.ForumTags: set only with Forum"},
		{"too many tags", Config{WebhookURL: redact.NewURL(hookURL), Forum: true, ForumTags: strings.Split("1,2,3,4,5,6", ",")}, "discord: Config.ForumTags: 6 tags, more than 5"},
		{"bad tag", Config{WebhookURL: redact.NewURL(hookURL), Forum: true, ForumTags: []string{"1", "tag"}}, "discord: Config.ForumTags[1]: not a Discord id (digits)"},
		{"duplicate tag", Config{WebhookURL: redact.NewURL(hookURL), Forum: true, ForumTags: []string{"1", "1"}}, `discord: Config.ForumTags[1]: the same as ForumTags[0]`},
		{"tag with leading zeros", Config{WebhookURL: redact.NewURL(hookURL), Forum: true, ForumTags: []string{"7", "007"}}, `discord: Config.ForumTags[1]: the same as ForumTags[0]`},
		{"username", Config{WebhookURL: redact.NewURL(hookURL), Username: "Discord status"}, `discord: Config.Username: Discord refuses names containing "discord" or "clyde"`},
		{"long username", Config{WebhookURL: redact.NewURL(hookURL), Username: strings.Repeat("ü", 81)}, "discord: Config.Username: longer than 80 characters"},
		{"blank username", Config{WebhookURL: redact.NewURL(hookURL), Username: "  "}, "discord: Config.Username: blank"},
		{"avatar", Config{WebhookURL: redact.NewURL(hookURL), AvatarURL: "/a.png"}, "discord: Config.AvatarURL: not an absolute http or https URL"},
		// The avatar is public, and the URL a plain string that prints
		// with the Config: it may carry no credential.
		{"avatar user info", Config{WebhookURL: redact.NewURL(hookURL), AvatarURL: "https://cdn:" + testToken + "@status.example.com/a.png"},
			"discord: Config.AvatarURL: must not hold credentials"},
		{"avatar password cut", Config{WebhookURL: redact.NewURL(hookURL), AvatarURL: "https://cdn:7319/" + testToken + "@status.example.com/a.png"},
			`discord: Config.AvatarURL: port: followed by a path holding "@" (a "/", "?" or "#" in a password is written %2F, %3F or %23; an "@" in the path, %40)`},
		{"avatar signed", Config{WebhookURL: redact.NewURL(hookURL), AvatarURL: "https://cdn.example.com/a.png?X-Amz-Signature=" + testToken},
			"discord: Config.AvatarURL: " + credquery.Problem},
		{"templates", Config{WebhookURL: redact.NewURL(hookURL), Templates: badTmpl}, "discord: Config.Templates: templates: render markdown: " +
			"template: markdown:1:3: executing \"markdown\" at <index .Components 0>: error calling index: reflect: slice index out of range"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := New(tt.cfg)
			assert.Nil(t, ch)
			assert.EqualError(t, err, tt.want)
		})
	}
}

// Config prints, logs and encodes without the token; YAML decodes into it
// by its documented keys.
func TestConfigEncoding(t *testing.T) {
	cfg := Config{WebhookURL: redact.NewURL(hookURL), Forum: true, ForumTags: []string{"1"}}
	j, err := json.Marshal(cfg)
	require.NoError(t, err)
	y, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	for _, out := range []string{string(j), string(y), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.URL())} {
		channeltest.AssertNoSecret(t, out, testToken)
	}
	assert.Contains(t, string(j), `"webhook_url":"https://discord.com/…"`)

	var got Config
	require.NoError(t, yaml.Unmarshal([]byte("name: status\nwebhook_url: "+hookURL+"\nforum: true\nforum_tags: [\"1\"]\n"+
		"username: Status\navatar_url: https://status.example.com/a.png\nno_root_update: true\n"), &got))
	assert.Equal(t, Config{Name: "status", WebhookURL: redact.NewURL(hookURL), Forum: true, ForumTags: []string{"1"}, Username: "Status",
		AvatarURL: "https://status.example.com/a.png", NoRootUpdate: true}, got)
}

// A channel URL gives back its Config, and a Config its URL.
func TestURLRoundTrip(t *testing.T) {
	for _, raw := range []string{
		"discord://" + testToken + "@" + testID,
		"discord://" + testToken + "@" + testID + "?forum=yes&forum_tags=1%2C2&name=status&root_update=no",
		"discord://" + testToken + "@" + testID + "?avatar_url=https%3A%2F%2Fstatus.example.com%2Fa.png&thread_id=9&username=Status+page",
		"discord://" + testToken + "@" + testID + "?host=127.0.0.1%3A8080&tls=no",
	} {
		cfg, err := ParseURL(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, raw, cfg.URL().Reveal(), "URL → Config → URL")
		again, err := ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg, again, "Config → URL → Config")
		_, err = New(cfg)
		assert.NoError(t, err)
	}
	cfg, err := ParseURL("discord://" + testToken + "@" + testID + "?host=127.0.0.1:8080&tls=no&forum=1")
	require.NoError(t, err)
	assert.Equal(t, Config{WebhookURL: redact.NewURL("http://127.0.0.1:8080/api/webhooks/" + testID + "/" + testToken), Forum: true}, cfg)
	assert.Equal(t, "discord://"+testID+"?…", fmt.Sprint(cfg.URL()), "the URL prints without the token")
	assert.Equal(t, redact.NewURL(""), Config{}.URL())
}

// ParseURL names the part of the URL at fault, never quoting the token.
func TestParseURLErrors(t *testing.T) {
	base := "discord://" + testToken + "@" + testID
	for _, tt := range []struct{ raw, want string }{
		{"https://discord.com/api/webhooks/1/" + testToken, "discord: URL: scheme: want discord://TOKEN@WEBHOOK_ID"},
		{"discord://" + testID, "discord: URL: user: missing (the webhook's token)"},
		{"discord://" + testToken + ":x@" + testID, "discord: URL: user: want the token alone, without ':'"},
		{"discord://tok%21en@" + testID, "discord: URL: user: the token has characters other than letters, digits, '-' and '_'"},
		{"discord://" + testToken + "@hooks", "discord: URL: host: want the webhook id (digits)"},
		{base + "/x", "discord: URL: path: want none, as in discord://TOKEN@WEBHOOK_ID"},
		{base + "?colour=red", `discord: URL: query: unknown parameter "colour" (want thread_id, forum, forum_tags, username, avatar_url, root_update, name, host or tls)`},
		{base + "?forum=maybe", "discord: URL: query forum: want yes or no"},
		{base + "?forum=yes&forum=no", `discord: URL: query: "forum" given 2 times`},
		{base + "?name=ops&thread_id=%zz", "discord: URL: query: parameter 2: bad %-escape"},
		{base + "?host=a/b", "discord: URL: query host: want a host name, with an optional port"},
		{base + "?thread_id=abc", "discord: URL: query thread_id: not a Discord id (digits)"},
		{base + "?forum_tags=1,x&forum=yes", "discord: URL: query forum_tags: not a Discord id (digits)"},
		{base + "?username=clyde", `discord: URL: query username: Discord refuses names containing "discord" or "clyde"`},
		{base + "?avatar_url=" + url.QueryEscape("https://cdn:pa55w0rd@status.example.com/a.png"), "discord: URL: query avatar_url: must not hold credentials"},
		{base + "?forum=yes&forum_tags=7,007", "discord: URL: query forum_tags: the same as ForumTags[0]"},
		{"discord://%zz", "discord: URL: does not parse"},
	} {
		_, err := ParseURL(tt.raw)
		assert.EqualError(t, err, tt.want, tt.raw)
		if err != nil {
			channeltest.AssertNoSecret(t, err.Error(), testToken)
		}
	}
}

// A client given in Config is used as a copy that follows no redirect, as
// the channel's own does: a redirect could take the credential elsewhere.
// The given client is left as it was, and Close leaves it alone.
func TestGivenClientFollowsNoRedirect(t *testing.T) {
	given := &http.Client{}
	ch, err := New(Config{WebhookURL: redact.NewURL(hookURL), HTTPClient: given})
	require.NoError(t, err)
	require.NotNil(t, ch.s.client.CheckRedirect)
	assert.ErrorIs(t, ch.s.client.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	assert.Nil(t, given.CheckRedirect)
	assert.False(t, ch.s.client.Own())
	assert.NoError(t, ch.Close())
}
