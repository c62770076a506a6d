package config_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/config"
)

// A secret from the environment shows neither in what Hide returns nor in
// any error of Load, wherever the file puts it: a whole channel URL, a
// URL's user part, password or query, a plain key, a nested key, a list.
// Each case is a file of one channel entry; besides loading it as is, the
// test appends an error at a later line that quotes each variable's value
// (a later channel's name, a stage naming no channel).
func TestNoSecretFromTheEnvironmentShows(t *testing.T) { testNoSecretShows(t, false) }

// A secret from a file (${file:PATH}) is as secret as one from the
// environment, in every key and URL part of the table above: each ${NAME}
// becomes ${file:NAME}, a file beside the configuration holding the value
// and a newline.
func TestNoSecretFromAFileShows(t *testing.T) { testNoSecretShows(t, true) }

func testNoSecretShows(t *testing.T, fromFiles bool) {
	const (
		whsec  = "whsec_c2VjcmV0LWtleS1vZi10aGUtdGFibGUtdGVzdA=="
		whsec2 = "whsec_b2xkLXNlY3JldC1vZi10aGUtdGFibGUtdGVzdA=="
	)
	tests := []struct {
		name    string
		entry   []string // the lines of one entry of channels:
		vars    map[string]string
		secrets []string // what must never show
	}{
		// webhook
		{"webhook secret keys", []string{
			"- kind: webhook",
			"  url: https://hooks.example.com/in",
			"  secret: ${S}",
			"  previous_secret: ${P}",
		}, map[string]string{"S": whsec, "P": whsec2}, []string{whsec, whsec2}},
		{"webhook header, a nested key", []string{
			"- kind: webhook",
			"  url: https://hooks.example.com/in",
			"  allow_unsigned: true",
			"  headers:",
			"    Authorization: Bearer ${TOKEN}",
			"    X-Api-Key: ${KEY}",
		}, map[string]string{"TOKEN": "hdr-token-8c1f2e", "KEY": "hdr-api-key-7d2e"}, []string{"hdr-token-8c1f2e", "hdr-api-key-7d2e"}},
		{"webhook endpoints, a list", []string{
			"- kind: webhook",
			"  endpoints:",
			"    - {url: \"https://a.example.com/in/${PATH_TOKEN}\", secret: \"${S}\"}",
			"    - url: https://b.example.com/in?token=${QUERY_TOKEN}",
			"      secret: ${S2}",
		}, map[string]string{"PATH_TOKEN": "pathtoken8c1f2e9d", "QUERY_TOKEN": "qtok-8c1f2e", "S": whsec, "S2": whsec2},
			[]string{"pathtoken8c1f2e9d", "qtok-8c1f2e", whsec, whsec2}},
		{"webhook url's password", []string{
			"- kind: webhook",
			"  url: https://hook:${PW}@hooks.example.com/in",
			"  secret: " + whsec,
		}, map[string]string{"PW": "hook-pw-8c1f2e"}, []string{"hook-pw-8c1f2e"}},
		{"webhook URL form, query parameter", []string{
			"- webhook://hooks.example.com/in?secret=${S}",
		}, map[string]string{"S": whsec}, []string{whsec}},
		{"webhook URL form, whole", []string{
			"- ${HOOK_URL}",
		}, map[string]string{"HOOK_URL": "webhook://hooks.example.com/in/tok-5d1e9a77?secret=" + whsec},
			[]string{whsec, "tok-5d1e9a77"}},
		{"webhook, anchors and aliases", []string{
			"- kind: webhook",
			"  name: a",
			"  url: https://a.example.com/in",
			"  secret: " + whsec,
			"  allow_unsigned: true",
			"  headers: &headers {X-Token: \"${TOKEN}\"}",
			"- kind: webhook",
			"  name: b",
			"  url: https://b.example.com/in",
			"  secret: " + whsec,
			"  headers: *headers",
		}, map[string]string{"TOKEN": "alias-token-8c1f2e"}, []string{"alias-token-8c1f2e"}},

		// email
		{"email password and token", []string{
			"- kind: email",
			"  host: smtp.example.com",
			"  username: ${SMTP_USER}",
			"  password: ${SMTP_PASSWORD}",
			"  from: s@example.com",
			"  to: [a@example.com]",
			"- kind: email",
			"  name: oauth",
			"  host: smtp.example.com",
			"  auth: xoauth2",
			"  username: u",
			"  oauth2_access_token: ${TOKEN}",
			"  from: s@example.com",
			"  to: [a@example.com]",
		}, map[string]string{"SMTP_USER": "status-bot", "SMTP_PASSWORD": "correct-horse-8c1f", "TOKEN": "ya29.oauth2-8c1f2e"},
			[]string{"correct-horse-8c1f", "ya29.oauth2-8c1f2e"}},
		{"email URL form, user part", []string{
			"- smtp://u:${SMTP_PASSWORD}@smtp.example.com:587/?from=s%40example.com&to=a%40example.com",
		}, map[string]string{"SMTP_PASSWORD": "smtp-pw-8c1f2e"}, []string{"smtp-pw-8c1f2e"}},
		{"email URL form, whole", []string{
			"- url: ${SMTP_URL}",
			"  name: mail",
		}, map[string]string{"SMTP_URL": "smtp://u:smtp-pw-7d2e3f@smtp.example.com:587/?from=s%40example.com&to=a%40example.com"},
			[]string{"smtp-pw-7d2e3f"}},
		{"email list_unsubscribe, a plain URL key", []string{
			"- kind: email",
			"  host: smtp.example.com",
			"  from: s@example.com",
			"  to: [a@example.com]",
			"  list_unsubscribe: https://example.com/unsubscribe?token=${UNSUB_TOKEN}",
		}, map[string]string{"UNSUB_TOKEN": "unsub-8c1f2e9d"}, []string{"unsub-8c1f2e9d"}},

		// x
		{"x OAuth 1.0a keys", []string{
			"- kind: x",
			"  consumer_key: ${CK}",
			"  consumer_secret: ${CS}",
			"  access_token: ${AT}",
			"  access_secret: ${AS}",
		}, map[string]string{"CK": "ckey-8c1f2e", "CS": "csecret-8c1f2e", "AT": "atoken-8c1f2e", "AS": "asecret-8c1f2e"},
			[]string{"ckey-8c1f2e", "csecret-8c1f2e", "atoken-8c1f2e", "asecret-8c1f2e"}},
		{"x OAuth 2.0 token, base_url's password", []string{
			"- kind: twitter",
			"  oauth2_access_token: ${TOKEN}",
			"  base_url: https://proxy:${PROXY_PW}@api.example.com",
		}, map[string]string{"TOKEN": "x-oauth2-8c1f2e", "PROXY_PW": "proxy-pw-8c1f2e"},
			[]string{"x-oauth2-8c1f2e", "proxy-pw-8c1f2e"}},
		{"x URL form, query parameters", []string{
			"- x://api.x.com?consumer_key=${CK}&consumer_secret=${CS}&access_token=${AT}&access_secret=${AS}",
		}, map[string]string{"CK": "ckey-7d2e3f", "CS": "csecret-7d2e3f", "AT": "atoken-7d2e3f", "AS": "asecret-7d2e3f"},
			[]string{"ckey-7d2e3f", "csecret-7d2e3f", "atoken-7d2e3f", "asecret-7d2e3f"}},

		// irc
		{"irc passwords and channel keys", []string{
			"- kind: irc",
			"  server: irc.example.com:6697",
			"  nick: status",
			"  password: ${PW}",
			"  sasl_user: status",
			"  sasl_password: ${SASL_PW}",
			"  channels:",
			"    - \"#ops ${OPS_KEY}\"",
			"    - ${CUSTOMERS}",
		}, map[string]string{"PW": "irc-pw-8c1f2e", "SASL_PW": "sasl-pw-8c1f2e", "OPS_KEY": "ops-key-8c1f2e",
			"CUSTOMERS": "#customers cust-key-8c1f2e"},
			[]string{"irc-pw-8c1f2e", "sasl-pw-8c1f2e", "ops-key-8c1f2e", "cust-key-8c1f2e"}},
		{"irc URL form, user part", []string{
			"- ircs://bot:${PW}@irc.example.com:6697/ops",
		}, map[string]string{"PW": "irc-pw-7d2e3f"}, []string{"irc-pw-7d2e3f"}},

		// statuspage
		{"statuspage plain URL keys", []string{
			"- kind: statuspage",
			"  dir: site",
			"  base_url: https://status.example.com/",
			"  links:",
			"    - {text: Docs, url: \"https://docs.example.com/${DOCS_TOKEN}/\"}",
		}, map[string]string{"DOCS_TOKEN": "docs-tok-8c1f2e"},
			[]string{"docs-tok-8c1f2e"}},
		{"statuspage logo_url's signature", []string{
			"- kind: statuspage",
			"  dir: site",
			"  base_url: https://status.example.com/",
			"  logo_url: \"https://cdn.example.com/logo.svg?X-Amz-Signature=${SIG}\"",
		}, map[string]string{"SIG": "logo-sig-8c1f2e"},
			[]string{"logo-sig-8c1f2e"}},

		// statuspageio
		{"statuspageio api key, base_url's password", []string{
			"- kind: statuspageio",
			"  api_key: ${KEY}",
			"  page_id: kctbh9vrtdwd",
			"  base_url: https://proxy:${PROXY_PW}@api.example.com",
		}, map[string]string{"KEY": "spio-key-8c1f2e", "PROXY_PW": "proxy-pw-7d2e3f"}, []string{"spio-key-8c1f2e", "proxy-pw-7d2e3f"}},
		{"statuspageio URL form, user part", []string{
			"- statuspageio://${KEY}@kctbh9vrtdwd",
		}, map[string]string{"KEY": "spio-key-7d2e3f"}, []string{"spio-key-7d2e3f"}},
		{"statuspageio URL form, a key that does not look like one", []string{
			"- statuspageio://${KEY}@kctbh9vrtdwd",
		}, map[string]string{"KEY": "spioKeyAbcdef"}, []string{"spioKeyAbcdef"}},

		// slack
		{"slack token", []string{
			"- kind: slack",
			"  token: ${TOKEN}",
			"  channels: ['#ops']",
		}, map[string]string{"TOKEN": "xoxb-8c1f2e-token"}, []string{"xoxb-8c1f2e-token"}},
		{"slack webhook_url, whole", []string{
			"- kind: slack",
			"  webhook_url: ${SLACK_WEBHOOK}",
		}, map[string]string{"SLACK_WEBHOOK": "https://hooks.slack.com/services/T0STATUS/B0HOOKS/slackHookToken8c1f"},
			[]string{"slackHookToken8c1f"}},
		{"slack URL form, password", []string{
			"- slack://hook:T0STATUS-B0HOOKS-${HOOK_TOKEN}@hooks.slack.com",
			"- url: slack://xoxb:${TOKEN}@slack.com/%23ops",
			"  name: api",
		}, map[string]string{"HOOK_TOKEN": "slackHookToken7d2e", "TOKEN": "api-token-7d2e3f"},
			[]string{"slackHookToken7d2e", "api-token-7d2e3f"}},
		{"slack URL form, whole", []string{
			"- ${SLACK_URL}",
		}, map[string]string{"SLACK_URL": "slack://hook:T0STATUS-B0HOOKS-slackHookToken6a3b@hooks.slack.com"},
			[]string{"slackHookToken6a3b"}},

		// teams
		{"teams webhook_url, query parameter", []string{
			"- kind: teams",
			"  webhook_url: https://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}",
		}, map[string]string{"SIG": "teams-sig-8c1f2e"}, []string{"teams-sig-8c1f2e"}},
		{"teams URL form, whole", []string{
			"- ${TEAMS_URL}",
		}, map[string]string{"TEAMS_URL": "teams://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=teams-sig-7d2e3f"},
			[]string{"teams-sig-7d2e3f"}},

		// discord
		{"discord webhook_url, path", []string{
			"- kind: discord",
			"  webhook_url: https://discord.com/api/webhooks/123456789012345678/${TOKEN}",
		}, map[string]string{"TOKEN": "discordToken8c1f2e"}, []string{"discordToken8c1f2e"}},
		{"discord URL form, user part and whole", []string{
			"- discord://${TOKEN}@123456789012345678",
			"- url: ${DISCORD_URL}",
			"  name: other",
		}, map[string]string{"TOKEN": "discordToken7d2e3f", "DISCORD_URL": "discord://discordToken6a3b4c@223456789012345678"},
			[]string{"discordToken7d2e3f", "discordToken6a3b4c"}},

		// googlechat
		{"googlechat webhook_url, query parameters", []string{
			"- kind: googlechat",
			"  webhook_url: https://chat.googleapis.com/v1/spaces/AAAA/messages?key=${KEY}&token=${TOKEN}",
		}, map[string]string{"KEY": "chat-key-8c1f2e", "TOKEN": "chat-tok-8c1f2e"}, []string{"chat-key-8c1f2e", "chat-tok-8c1f2e"}},
		{"googlechat URL form, whole", []string{
			"- ${CHAT_URL}",
		}, map[string]string{"CHAT_URL": "googlechat://chat.googleapis.com/v1/spaces/AAAA/messages?key=chat-key-7d2e3f&token=chat-tok-7d2e3f"},
			[]string{"chat-key-7d2e3f", "chat-tok-7d2e3f"}},

		// mastodon
		{"mastodon token, server's password", []string{
			"- kind: mastodon",
			"  server: https://proxy:${PROXY_PW}@mastodon.example.com",
			"  token: ${TOKEN}",
		}, map[string]string{"TOKEN": "masto-tok-8c1f2e", "PROXY_PW": "proxy-pw-6a3b4c"}, []string{"masto-tok-8c1f2e", "proxy-pw-6a3b4c"}},
		{"mastodon URL form, user part", []string{
			"- mastodon://${TOKEN}@mastodon.example.com",
		}, map[string]string{"TOKEN": "masto-tok-7d2e3f"}, []string{"masto-tok-7d2e3f"}},

		{"mastodon URL form, a token that does not look like one", []string{
			"- mastodon://${TOKEN}@mastodon.example.com",
		}, map[string]string{"TOKEN": "mastoTokAbcdef"}, []string{"mastoTokAbcdef"}},

		// bluesky
		{"bluesky app password", []string{
			"- kind: bluesky",
			"  identifier: status.example.com",
			"  app_password: ${APP_PW}",
		}, map[string]string{"APP_PW": "abcd-efgh-ijkl-mn8c"}, []string{"abcd-efgh-ijkl-mn8c"}},
		{"bluesky URL form, password", []string{
			"- bluesky://status.example.com:${APP_PW}@bsky.social",
		}, map[string]string{"APP_PW": "abcd-efgh-ijkl-mn7d"}, []string{"abcd-efgh-ijkl-mn7d"}},

		// telegram
		{"telegram token, base_url's path", []string{
			"- kind: telegram",
			"  token: ${TOKEN}",
			"  chats: ['@examplestatus']",
			"- kind: telegram",
			"  name: proxied",
			"  token: 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
			"  chats: ['@examplestatus']",
			"  base_url: https://proxy.example.com/${PROXY_TOKEN}",
		}, map[string]string{"TOKEN": "123456789:AAEsecretsecret8c1f2e", "PROXY_TOKEN": "proxyToken8c1f2e"},
			[]string{"123456789:AAEsecretsecret8c1f2e", "proxyToken8c1f2e"}},
		{"telegram URL form, user part", []string{
			"- telegram://${TOKEN}@telegram?chats=@examplestatus",
		}, map[string]string{"TOKEN": "123456789:AAEsecretsecret7d2e3f"}, []string{"123456789:AAEsecretsecret7d2e3f"}},

		// matrix
		{"matrix access token", []string{
			"- kind: matrix",
			"  homeserver: https://matrix.example.org",
			"  access_token: ${TOKEN}",
			"  rooms: ['!abc:example.org']",
		}, map[string]string{"TOKEN": "syt_matrix_8c1f2e"}, []string{"syt_matrix_8c1f2e"}},
		{"matrix URL form, password", []string{
			"- matrix://:${TOKEN}@matrix.example.org/?rooms=!abc:example.org",
		}, map[string]string{"TOKEN": "syt_matrix_7d2e3f"}, []string{"syt_matrix_7d2e3f"}},
	}
	// The channel's package refuses these: no URL with credentials there.
	refused := map[string]bool{"x OAuth 2.0 token, base_url's password": true,
		"statuspageio api key, base_url's password": true, "mastodon token, server's password": true,
		"statuspage logo_url's signature": true}
	for _, tt := range tests {
		file := "channels:\n  " + strings.Join(tt.entry, "\n  ") + "\n"
		t.Run(tt.name, func(t *testing.T) {
			parse := func(t *testing.T, yaml string, vars map[string]string) (*config.File, *bytes.Buffer, error) {
				if !fromFiles {
					return parse(t, yaml, vars)
				}
				dir := t.TempDir()
				for name, v := range vars {
					require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o600))
					yaml = strings.ReplaceAll(yaml, "${"+name+"}", "${file:"+name+"}")
				}
				var out bytes.Buffer
				cfg, err := parseIn(dir, yaml, config.Loader{LookupEnv: env(nil), Stdout: &out, Stderr: &out})
				return cfg, &out, err
			}
			cfg, _, err := parse(t, file, tt.vars)
			if refused[tt.name] {
				require.Error(t, err)
				channeltest.AssertNoSecret(t, err.Error(), tt.secrets...)
				return
			}
			require.NoError(t, err)
			channeltest.AssertNoSecret(t, cfg.Hide(echoes(tt.secrets)), tt.secrets...)
			names := slices.Sorted(func(yield func(string) bool) {
				for name := range tt.vars {
					if !yield(name) {
						return
					}
				}
			})
			for _, name := range names {
				for later, yaml := range map[string]string{
					"a later channel's name": file + "  - {kind: webhook, name: \"later ${" + name + "}\"}\n",
					"a later stage":          "stages: [[\"${" + name + "}\"]]\n" + file,
				} {
					_, _, err := parse(t, yaml, tt.vars)
					require.Error(t, err, "%s ${%s}", later, name)
					channeltest.AssertNoSecret(t, err.Error(), tt.secrets...)
				}
			}
		})
	}
}

// echoes returns text that holds each secret as a server or a library
// might echo it: as is, quoted, URL-escaped, in base64 and hex.
func echoes(secrets []string) string {
	var b strings.Builder
	for _, s := range secrets {
		b.WriteString("401 for " + s + "; got " + strconv.Quote(s) + " in " + "https://api.example.com/?t=" +
			url.QueryEscape(s) + "; auth " + base64.StdEncoding.EncodeToString([]byte(s)) + " " + hex.EncodeToString([]byte(s)) + "\n")
	}
	return b.String()
}

// A stage's entry that names no channel is not quoted: a secret pasted
// there shows, or one a reference puts there when that variable is in no
// key of secrets (so that Load does not know it for one).
func TestStageEntryNotQuoted(t *testing.T) {
	const token = "xoxb-17-stage-Hunter2xyz"
	for name, yaml := range map[string]string{
		"written":   "stages: [[page, " + token + "]]\nchannels: [{kind: console, name: page}]\n",
		"reference": "stages: [[page, \"${OPS}\"]]\nchannels: [{kind: console, name: page}]\n",
		"file":      "stages: [[page, \"${file:ops}\"]]\nchannels: [{kind: console, name: page}]\n",
	} {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "ops"), []byte(token+"\n"), 0o600))
		_, err := parseIn(dir, yaml, config.Loader{LookupEnv: env(map[string]string{"OPS": token}), Stdout: io.Discard, Stderr: io.Discard})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "stages[0][1]: ", name)
		assert.Contains(t, err.Error(), "names no channel", name)
		channeltest.AssertNoSecret(t, err.Error(), token)
	}
}

// A value that may hold a secret is not quoted in the errors about the
// file's own keys and channel entries: a database's URL in store.kind or
// where the bolt file goes (which the error of opening it would quote),
// a secret or "user:password@host" written as a channel entry, whose
// text before ":" url.Parse reads as a scheme. A value from the
// environment that is not a URL is named by its reference.
func TestFileKeysQuoteNoSecret(t *testing.T) {
	const pw = "Hunter2xyz"
	dsn := "postgres://ops:" + pw + "@db.example.com/status"
	tests := []struct{ name, yaml, want string }{
		{"store kind, a URL from the environment", "store: {kind: \"${DB}\", path: x.db}\nchannels: [{kind: console}]\n",
			`store.kind: unknown value "${DB}" (want bolt or memory)`},
		{"store kind, a URL", "store: {kind: \"" + dsn + "\", path: x.db}\nchannels: [{kind: console}]\n",
			"store.kind: unknown value a URL (not quoted: it may hold credentials) (want bolt or memory)"},
		{"store kind, from the environment", "store: {kind: \"${PW}\", path: x.db}\nchannels: [{kind: console}]\n",
			`store.kind: unknown value "${PW}" (want bolt or memory)`},
		{"state, a URL from the environment", "state: ${DB}\nchannels: [{kind: console}]\n",
			"test.yaml:1: state: a URL (not quoted: it may hold credentials): give the bolt store's file"},
		{"store path, a URL", "store: {path: \"" + dsn + "\"}\nchannels: [{kind: console}]\n",
			"test.yaml:1: store.path: a URL (not quoted: it may hold credentials): give the bolt store's file"},
		{"a secret as a channel entry", "channels: [\"Pa55:" + pw + "\"]\n",
			"test.yaml:1: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"},
		{"user:password@host as a channel entry", "channels: [\"ops:" + pw + "@chat.example.com\"]\n",
			"test.yaml:1: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"},
		{"a secret from the environment as a channel entry", "channels: [\"${PW2}\"]\n",
			"test.yaml:1: channels[0]: want a channel URL (scheme://…), or a mapping with a kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, map[string]string{"DB": dsn, "PW": pw, "PW2": "Pa55:" + pw})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			channeltest.AssertNoSecret(t, err.Error(), pw, "Pa55", "ops:")
		})
	}
	_, _, err := parse(t, "channels: [\"nope://chat.example.com\"]\n", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `URL scheme "nope": no kind of channel takes it`, "a scheme written before :// is quoted")
}
