package config_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A plain text key that holds a URL (every string key of a kind whose
// value is a URL and that is no redact.URL: discord's avatar_url, the
// base_url of slack, telegram, x and statuspageio, mastodon's server, the
// status page's base_url, logo_url, home_url and links' url) is read in
// the full form a key of a secret URL is: its password (or a user name
// alone), its query's credentials and its token-like path segments are
// secrets. The rule is the channel packages' for all of them: credentials
// there are refused, with an error naming the key that does not quote
// them; and no other fault quotes them either: another channel named as
// one is refused as a name holding a secret, not quoted as a name used
// twice or in a stage, whether the URL was written in the file or taken
// from the environment. Before, a written avatar_url's password read
// `name "Qx7vLmPw9RtZ": already used by channels[1]`.
func TestPlainURLKeyCredentialsNotQuoted(t *testing.T) {
	const pw = "Qx7vLmPw9RtZ"
	const short = "Qz7!k"
	tests := []struct {
		name, entry, url, secret, fault string
	}{
		{"discord avatar_url, a password", "{kind: discord, name: d, webhook_url: 'https://discord.com/api/webhooks/123/Kq7vT2xN9pLmW4rZ8sYb', avatar_url: '%s'}",
			"https://bob:" + pw + "@img.example.com/a.png", pw, "avatar_url: must not hold credentials"},
		{"discord avatar_url, a short password", "{kind: discord, name: d, webhook_url: 'https://discord.com/api/webhooks/123/Kq7vT2xN9pLmW4rZ8sYb', avatar_url: '%s'}",
			"https://bob:" + short + "@img.example.com/a.png", short, "avatar_url: must not hold credentials"},
		{"discord avatar_url, a query token", "{kind: discord, name: d, webhook_url: 'https://discord.com/api/webhooks/123/Kq7vT2xN9pLmW4rZ8sYb', avatar_url: '%s'}",
			"https://img.example.com/a.png?token=" + pw, pw, "avatar_url: must not hold credentials"},
		{"status page logo_url", "{kind: statuspage, name: s, dir: site, base_url: 'https://status.example.com/', logo_url: '%s'}",
			"https://bob:" + pw + "@img.example.com/a.png", pw, "logo_url: must not hold credentials"},
		{"status page home_url", "{kind: statuspage, name: s, dir: site, base_url: 'https://status.example.com/', home_url: '%s'}",
			"https://img.example.com/?sig=" + pw, pw, "home_url: must not hold credentials"},
		{"status page link", "{kind: statuspage, name: s, dir: site, base_url: 'https://status.example.com/', links: [{text: a, url: '%s'}]}",
			"https://bob:" + pw + "@img.example.com/", pw, "links[0].url: must not hold credentials"},
		{"status page base_url", "{kind: statuspage, name: s, dir: site, base_url: '%s'}",
			"https://bob:" + pw + "@status.example.com/", pw, "base_url: must not hold credentials"},
		{"slack base_url", "{kind: slack, name: s, token: xoxb-1234-5678-abcdef, channels: ['#ops'], base_url: '%s'}",
			"https://bob:" + pw + "@slack.example.com/api/", pw, "base_url: must not hold credentials"},
		{"mastodon server", "{kind: mastodon, name: s, server: '%s', token: abcdefghij}",
			"https://bob:" + pw + "@mastodon.example.com", pw, "server: must not hold credentials"},
		{"statuspageio base_url", "{kind: statuspageio, name: s, api_key: abcdefghijk, page_id: pageid123, base_url: '%s'}",
			"https://bob:" + pw + "@api.example.com", pw, "base_url: must not hold credentials"},
		{"x base_url", "{kind: x, name: s, consumer_key: abcdefgh1, consumer_secret: abcdefgh2, access_token: abcdefgh3, access_secret: abcdefgh4, base_url: '%s'}",
			"https://bob:" + pw + "@api.example.com", pw, "base_url: must not hold credentials"},
	}
	for _, tt := range tests {
		eachSource(t, tt.name, func(t *testing.T, fromEnv bool) {
			err := parseNamedAsSecret(t, tt.entry, tt.url, tt.secret, fromEnv)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.fault)
			assert.Contains(t, err.Error(), "test.yaml:3: channels[1].name: holds a secret")
			assert.Contains(t, err.Error(), "test.yaml:4: channels[2].name: holds a secret")
			assert.NotContains(t, err.Error(), tt.secret)
		})
	}
}

// eachSource runs f as a subtest of t named name for a URL written in the
// file (fromEnv false) and as one ", from the environment".
func eachSource(t *testing.T, name string, f func(t *testing.T, fromEnv bool)) {
	t.Helper()
	t.Run(name, func(t *testing.T) { f(t, false) })
	t.Run(name+", from the environment", func(t *testing.T) { f(t, true) })
}

// parseNamedAsSecret returns the error of parsing a file of the channel
// entry, whose %s is rawURL (written, or with fromEnv taken from the
// environment variable SECRET_URL), then two console channels named
// secret, at lines 3 and 4, and stages naming them.
func parseNamedAsSecret(t *testing.T, entry, rawURL, secret string, fromEnv bool) error {
	t.Helper()
	value, vars := rawURL, map[string]string{}
	if fromEnv {
		value, vars["SECRET_URL"] = "${SECRET_URL}", rawURL
	}
	_, _, err := parse(t, lines("channels:", "  - "+fmt.Sprintf(entry, value),
		"  - {kind: console, name: '"+secret+"'}", "  - {kind: console, name: '"+secret+"'}",
		"stages: [['"+secret+"'], ['"+secret+"']]"), vars)
	return err
}

// The same keys given as a channel URL's query parameters (discord's
// avatar_url=…) are read so too: the channel refuses the URL, and no other
// fault quotes the credentials of the URL in the parameter, written in
// the file or taken from the environment. Before, a short form's
// avatar_url password read `name "Qx7vLmPw9RtZ": already used by
// channels[1]`.
func TestShortFormPlainURLParamCredentialsNotQuoted(t *testing.T) {
	const pw = "Qx7vLmPw9RtZ"
	const short = "Qz7!k"
	const hook = "discord://Kq7vT2xN9pLmW4rZ8sYb@123?avatar_url="
	tests := []struct{ name, url, secret string }{
		{"a password", hook + url.QueryEscape("https://bob:"+pw+"@img.example.com/a.png"), pw},
		{"a short password", hook + url.QueryEscape("https://bob:"+short+"@img.example.com/a.png"), short},
		{"a query token", hook + url.QueryEscape("https://img.example.com/a.png?token="+pw), pw},
	}
	for _, tt := range tests {
		eachSource(t, tt.name, func(t *testing.T, fromEnv bool) {
			err := parseNamedAsSecret(t, "'%s'", tt.url, tt.secret, fromEnv)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "avatar_url: must not hold credentials")
			assert.Contains(t, err.Error(), "test.yaml:3: channels[1].name: holds a secret")
			assert.Contains(t, err.Error(), "test.yaml:4: channels[2].name: holds a secret")
			assert.NotContains(t, err.Error(), tt.secret)
		})
	}
}
