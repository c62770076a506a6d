package config_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A secret from the environment, in a secret key, a header, a channel
// URL's credentials or an IRC channel key, never shows in what Hide
// returns, in any encoding a server might echo it in.
func TestHideSecretsFromTheEnvironment(t *testing.T) {
	const (
		password = "correct-horse-battery"
		token    = "Bearer tok-9f3e2d1c0b"
		ircKey   = "chan-key-31337"
		hookTok  = "xoxbSecretPathToken42"
	)
	vars := map[string]string{
		"HOOK_SECRET": secret, "WEBHOOK_TOKEN": token, "SMTP_PASSWORD": password,
		"SLACK_URL": "slack://hook:T0STATUS-B0HOOKS-" + hookTok + "@hooks.slack.com", "IRC_OPS_KEY": ircKey,
	}
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    secret: ${HOOK_SECRET}",
		"    headers: {Authorization: \"${WEBHOOK_TOKEN}\"}",
		"  - url: smtp://u:${SMTP_PASSWORD}@127.0.0.1:1025/?tls=plaintext&from=s@example.com&to=a@example.com",
		"    name: mail",
		"  - ${SLACK_URL}",
		"  - kind: irc",
		"    server: irc.example.com:6697",
		"    nick: status",
		"    channels: [\"#ops ${IRC_OPS_KEY}\"]",
	), vars)
	require.NoError(t, err)
	text := strings.Join([]string{
		"webhook: 401 for secret " + secret + " and " + token,
		"smtp: 535 auth failed for " + base64.StdEncoding.EncodeToString([]byte("\x00u\x00"+password)) + " (" + password + ")",
		`slack: Post "https://hooks.slack.com/services/T0STATUS/B0HOOKS/` + hookTok + `": timeout`,
		"irc: 475 #ops " + ircKey + " :Cannot join channel (+k)",
	}, "\n")
	out := cfg.Hide(text)
	channeltest.AssertNoSecret(t, out, secret, token, password, hookTok, ircKey)
	assert.Contains(t, out, "webhook: 401 for secret ${HOOK_SECRET} and ${WEBHOOK_TOKEN}", "a secret becomes its reference")
	assert.Contains(t, out, "irc: 475 #ops ${IRC_OPS_KEY} :Cannot join", "a channel key, not the channel")
	assert.Contains(t, out, "(${SMTP_PASSWORD})")
}

// A secret from the environment never shows in an error of Load, even one
// that quotes the value.
func TestLoadErrorsHideSecrets(t *testing.T) {
	const token = "xoxb-1234567890-abcdefghij"
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: slack",
		"    token: ${SLACK_TOKEN}",
		"    channels: [\"#ops\"]",
		"    name: \"bad name ${SLACK_TOKEN}\"",
		"    concurrency: many",
	), map[string]string{"SLACK_TOKEN": token})
	require.Error(t, err)
	channeltest.AssertNoSecret(t, err.Error(), token)
}

// Values from the environment that go into no secret (a host, a user
// name, a channel's name) are not secrets: they are shown like the rest
// of the configuration, and text that merely contains them is not
// rewritten.
func TestHideLeavesOtherValuesAlone(t *testing.T) {
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    name: ${DEPLOY_ENV}",
		"    host: ${SMTP_HOST}",
		"    port: 1025",
		"    tls: plaintext",
		"    username: ${SMTP_USERNAME}",
		"    password: ${SMTP_PASSWORD}",
		"    from: status@example.com",
		"    to: [a@example.com]",
	), map[string]string{"DEPLOY_ENV": "production", "SMTP_HOST": "127.0.0.1", "SMTP_USERNAME": "status-bot",
		"SMTP_PASSWORD": "correct-horse-battery"})
	require.NoError(t, err)
	for _, text := range []string{
		`webhook: Post "http://127.0.0.1:8091/hooks": connection refused`,
		"the production database is down; status-bot posted it",
	} {
		assert.Equal(t, text, cfg.Hide(text))
	}
	assert.Equal(t, "127.0.0.1:1025 (plaintext) as status-bot, from status@example.com to 1 recipient", cfg.Describe("production"))
	assert.Equal(t, "auth failed: ${SMTP_PASSWORD}", cfg.Hide("auth failed: correct-horse-battery"))
}

// A value from the environment that is the password of a URL in a plain
// URL key (home_url) never shows: the status page refuses such a URL (it
// would publish it), and its error does not quote it.
func TestHidePasswordOfAPlainURLKey(t *testing.T) {
	const password = "proxy-pass-8c1f2e"
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: statuspage",
		"    dir: "+t.TempDir(),
		"    base_url: https://status.example.com/",
		"    title: Example Status",
		"    home_url: https://web:${HOME_PASSWORD}@intranet.example.com/",
	), map[string]string{"HOME_PASSWORD": password})
	// The page refuses a URL with credentials (it would publish them),
	// without quoting it.
	require.ErrorContains(t, err, "must not hold credentials")
	channeltest.AssertNoSecret(t, err.Error(), password)
}

// A channel URL whose token is its user part (mastodon://TOKEN@host,
// discord://TOKEN@ID, statuspageio://KEY@PAGE) keeps that token as secret
// as a password: it goes into a redact.Secret of the channel's Config.
// The same holds for a URL from the environment as a whole, and for an
// IRC channel key in a "#channel key" from the environment.
func TestHideTokenInAURLsUserPart(t *testing.T) {
	const (
		masto   = "mastoTokenSecret8c1f"
		discord = "discordTokenSecret7e2d"
		spio    = "statuspageKeySecret6a3b"
		ircKey  = "chanKeySecret5f4e"
	)
	vars := map[string]string{"MASTODON_TOKEN": masto, "DISCORD_URL": "discord://" + discord + "@123456789012345678",
		"SPIO_KEY": spio, "IRC_CHANNEL": "#ops " + ircKey}
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - mastodon://${MASTODON_TOKEN}@mastodon.example.com",
		"  - ${DISCORD_URL}",
		"  - url: statuspageio://${SPIO_KEY}@kctbh9vrtdwd",
		"    name: page",
		"  - kind: irc",
		"    server: irc.example.com:6697",
		"    nick: status",
		"    channels: [\"${IRC_CHANNEL}\"]",
	), vars)
	require.NoError(t, err)
	out := cfg.Hide(strings.Join([]string{
		"mastodon: 401 for token " + masto,
		"discord: Post https://discord.com/api/webhooks/123456789012345678/" + discord + ": timeout",
		"statuspageio: 401 OAuth " + spio + " " + base64.StdEncoding.EncodeToString([]byte(spio)),
		"irc: 475 #ops " + ircKey + " :Cannot join channel (+k)",
	}, "\n"))
	channeltest.AssertNoSecret(t, out, masto, discord, spio, ircKey)
	assert.Contains(t, out, "mastodon: 401 for token ${MASTODON_TOKEN}", "a secret that is a whole value becomes its reference")
}

// A secret from the environment that a channel package refuses, or that
// stands beside the setting it refuses, is in no error of Load, in any
// encoding, and the error names the key.
func TestChannelErrorsHideSecrets(t *testing.T) {
	const v = "${V}"
	tests := []struct {
		name, kind string
		lines      []string
		value, key string
	}{
		{"webhook secret", "webhook", []string{"url: https://hooks.example.com/in", "secret: " + v}, "whsec-not-really-9f3e2d", "secret"},
		{"webhook secret, no url", "webhook", []string{"secret: " + v}, secret, "url"},
		{"webhook endpoint secret", "webhook", []string{"endpoints: [{url: 'https://a.example.com', secret: \"" + v + "\"}]"},
			"whsec_c2hvcnQ=", "endpoints[0].secret"},
		{"webhook header", "webhook", []string{"url: https://a.example.com", "allow_unsigned: true", `headers: {X-Token: "` + v + `"}`},
			"tok-9f3e\x01-2d1c0b", `headers["X-Token"]`},
		{"email password", "email", []string{"host: smtp.example.com", "from: s@example.com", "to: [a@example.com]", "password: " + v},
			"correct-horse-battery", "username"},
		{"email plaintext password", "email", []string{"host: smtp.example.com", "tls: plaintext", "from: s@example.com",
			"to: [a@example.com]", "username: u", "password: " + v}, "correct-horse-battery", "tls"},
		{"email oauth2 token", "email", []string{"host: smtp.example.com", "tls: plaintext", "from: s@example.com",
			"to: [a@example.com]", "username: u", "oauth2_access_token: " + v}, "ya29.oauth2-token-8c1f2e", "tls"},
		{"x consumer key", "x", []string{"consumer_key: \"" + v + "\"", "consumer_secret: b", "access_token: c", "access_secret: d"},
			" consumer-key-8c1f2e", "consumer_key"},
		{"x oauth2 token", "x", []string{"consumer_key: a", "oauth2_access_token: " + v}, "oauth2-token-8c1f2e", "oauth2_access_token"},
		{"irc password", "irc", []string{"server: irc.example.com:6697", "nick: status", "channels: ['#ops']", "password: \"" + v + "\""},
			"irc-pass\x01word", "password"},
		{"irc sasl password", "irc", []string{"server: irc.example.com:6697", "nick: status", "channels: ['#ops']",
			"sasl_user: u", "sasl_password: \"" + v + "\""}, "sasl-pass\x00word", "sasl_password"},
		{"irc sasl password alone", "irc", []string{"server: irc.example.com:6697", "nick: status", "channels: ['#ops']",
			"sasl_password: " + v}, "sasl-password-31337", "sasl_user"},
		{"irc channel key", "irc", []string{"server: irc.example.com:6697", "nick: status", "channels: [\"#ops :" + v + "\"]"},
			"chan-key-31337", "channels[0]"},
		{"irc channel key after a colon", "irc", []string{"server: irc.example.com:6697", "nick: status", "channels: [\"#ops:" + v + "\"]"},
			"chan-key-31337", "channels[0]"},
		{"irc channel key after a comma", "irc", []string{"server: irc.example.com:6697", "nick: status", "channels: [\"#ops," + v + "\"]"},
			"chan-key-31337", "channels[0]"},
		{"irc channel key as an entry", "irc", []string{"server: irc.example.com:6697", "nick: status", "channels: [\"#ops\", \"" + v + "\"]"},
			"chan-key-31337", "channels[1]"},
		{"irc password without tls", "irc", []string{"server: irc.example.com:6667", "tls: off", "nick: status", "channels: ['#ops']",
			"password: " + v}, "irc-password-31337", "tls"},
		{"slack token", "slack", []string{"token: " + v, "channels: ['#ops']"}, "not-a-slack-token-42", "token"},
		{"slack webhook", "slack", []string{"webhook_url: " + v}, "https://hooks.slack.com/hooks/xoxbSecretPath42", "webhook_url"},
		{"statuspageio api key", "statuspageio", []string{"api_key: \"" + v + "\"", "page_id: abc123"}, "api key with spaces", "api_key"},
		{"mastodon token", "mastodon", []string{"server: https://mastodon.example.com", "token: \"" + v + "\""}, "masto token 8c1f2e", "token"},
		{"matrix token", "matrix", []string{"homeserver: https://matrix.example.org", "access_token: \"" + v + "\"", "rooms: ['!a:example.org']"},
			"syt matrix 8c1f2e", "access_token"},
		{"bluesky app password", "bluesky", []string{"identifier: status.example.com", "app_password: \"" + v + "\""},
			" abcd-efgh-ijkl-mnop", "app_password"},
		{"telegram token", "telegram", []string{"token: \"" + v + "\"", "chats: ['@examplestatus']"}, "123456789:short", "token"},
		{"telegram base url", "telegram", []string{"token: '123456789:AAEsecretsecretsecretsecret'", "chats: ['@examplestatus']",
			"base_url: " + v}, "https://api.example.com/bot123456789:AAEsecretsecretsecretsecret", "base_url"},
		{"discord webhook", "discord", []string{"webhook_url: " + v}, "https://discord.com/api/webhooks/123/tok-en!secret", "webhook_url"},
		{"googlechat webhook", "googlechat", []string{"webhook_url: " + v}, "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=chat-tok-8c1f2e&x=1",
			"webhook_url"},
		{"teams webhook", "teams", []string{"webhook_url: " + v}, "https://example.webhook.office.com/webhookb2/teams-secret-8c1f2e",
			"webhook_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines("channels:", "  - kind: "+tt.kind)+"    "+strings.Join(tt.lines, "\n    ")+"\n",
				map[string]string{"V": tt.value})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "): "+tt.key+": ")
			channeltest.AssertNoSecret(t, err.Error(), strings.TrimSpace(tt.value))
		})
	}
}

// Describe names an IRC channel without its key, however the key is
// separated from the name: the irc package takes a tab as a space.
func TestDescribeIRCWithoutKeys(t *testing.T) {
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - kind: irc",
		"    server: irc.example.com:6697",
		"    nick: status",
		`    channels: ["#ops chan-key-8c1f2e", "#customers\tchan-key-7d2e3f", "  #status  "]`,
	), nil)
	require.NoError(t, err)
	assert.Equal(t, "irc.example.com:6697 (TLS), nick status, channels #ops, #customers, #status", cfg.Describe("irc"))
}

// A value from a variable whose name says it is a secret is hidden
// wherever it went, also in a key that holds none: the password's
// variable written as the host (the two swapped) showed the password in
// Describe and in every connection error.
func TestHideSecretVariableInTheWrongKey(t *testing.T) {
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - kind: email",
		"    host: ${SMTP_PASSWORD}",
		"    port: 1025",
		"    tls: starttls",
		"    username: ${SMTP_USERNAME}",
		"    password: ${SMTP_HOST}",
		"    from: status@example.com",
		"    to: [a@example.com]",
	), map[string]string{"SMTP_USERNAME": "status-bot", "SMTP_PASSWORD": "correct-horse-battery", "SMTP_HOST": "mail.example.com"})
	require.NoError(t, err)
	assert.Equal(t, "dial tcp: lookup ${SMTP_PASSWORD}: no such host", cfg.Hide("dial tcp: lookup correct-horse-battery: no such host"))
	assert.Equal(t, "the status-bot account", cfg.Hide("the status-bot account"), "a user name is no secret")
}

// Only a word of the variable's name says it holds a secret, not letters
// inside another word: the host of ${KEYCLOAK_HOST} or ${MONKEY_MAIL} and
// the user name of ${API_KEY_ID} (an identifier, not the key) showed as
// their references in Describe and in every connection error, which then
// no longer said which host was tried. Words that count only on their own
// (PASS, PAT) do not inside another (BYPASS, COMPAT), and ${PWD} alone is
// the shell's working directory. A ${file:PATH} is judged by the
// key it went into, whatever its path says.
func TestHideSecretVariableByWordsOfItsName(t *testing.T) {
	dir := t.TempDir()
	hostFile := filepath.Join(dir, "keys_smtp_host")
	require.NoError(t, os.WriteFile(hostFile, []byte("relay.example.com"), 0o600))
	for _, tc := range []struct {
		host, user string
		shown      []string
	}{
		{"${KEYCLOAK_HOST}", "${API_KEY_ID}", []string{"mail.example.com", "AKIDEXAMPLE01"}},
		{"${MONKEY_MAIL}", "${KEYBOARD_USER}", []string{"mail.example.com", "AKIDEXAMPLE01"}},
		{"${BYPASS_MAIL}", "${BYPASS_LOGIN}", []string{"mail.example.com", "AKIDEXAMPLE01"}},
		{"${COMPASS_MAIL}", "${PATHS_LOGIN}", []string{"mail.example.com", "AKIDEXAMPLE01"}},
		{"${PWD}", "${COMPAT_LOGIN}", []string{"mail.example.com", "AKIDEXAMPLE01"}}, // the working directory
		{"${file:" + hostFile + "}", "${TOKEN_USER}", []string{"relay.example.com", "AKIDEXAMPLE01"}},
	} {
		env := map[string]string{"SMTP_PASSWORD": "correct-horse-battery",
			"KEYCLOAK_HOST": "mail.example.com", "MONKEY_MAIL": "mail.example.com",
			"API_KEY_ID": "AKIDEXAMPLE01", "KEYBOARD_USER": "AKIDEXAMPLE01", "TOKEN_USER": "AKIDEXAMPLE01",
			"BYPASS_MAIL": "mail.example.com", "BYPASS_LOGIN": "AKIDEXAMPLE01", "COMPASS_MAIL": "mail.example.com",
			"PATHS_LOGIN": "AKIDEXAMPLE01", "PWD": "mail.example.com", "COMPAT_LOGIN": "AKIDEXAMPLE01"}
		cfg, _, err := parse(t, lines(
			"channels:",
			"  - kind: email",
			"    host: "+tc.host,
			"    port: 1025",
			"    tls: starttls",
			"    username: "+tc.user,
			"    password: ${SMTP_PASSWORD}",
			"    from: status@example.com",
			"    to: [a@example.com]",
		), env)
		require.NoError(t, err)
		for _, s := range tc.shown {
			assert.Equal(t, "lookup "+s+": no such host", cfg.Hide("lookup "+s+": no such host"), "%s, %s", tc.host, tc.user)
		}
	}
	// Names made of such words still hide their values anywhere.
	// Short forms of password and the like too (SMTP_PASS, DB_PWD, a
	// GitHub personal access token's GITHUB_PAT), which were shown.
	for _, name := range []string{"SMTP_APIKEY", "SLACK_BOT_TOKEN2", "X_CONSUMER_KEY", "DB_CREDENTIALS", "IRC_KEYS", "AUTHTOKEN",
		"SMTP_PASS", "DB_PASS", "MYSQL_PWD", "DB_PWD2", "GITHUB_PAT", "GH_PATS", "SSH_PASSPHRASE", "PASS", "smtp_pass"} {
		cfg, _, err := parse(t, lines(
			"channels:",
			"  - kind: email",
			"    host: ${"+name+"}",
			"    port: 1025",
			"    tls: starttls",
			"    from: status@example.com",
			"    to: [a@example.com]",
		), map[string]string{name: "s3cr3t-value-42"})
		require.NoError(t, err)
		assert.Equal(t, "lookup ${"+name+"}: no such host", cfg.Hide("lookup s3cr3t-value-42: no such host"), name)
	}
}

// An IRC channel's key joined to its name by a separator the irc package
// refuses ("#ops:key", "#ops,key"), or given as an entry of its own, is
// still a key: a name that holds it is refused as one that holds a
// secret, not quoted in the errors.
func TestIRCKeyAfterWrongSeparatorNotInName(t *testing.T) {
	for _, entry := range []string{`"#ops:chan-key-31337"`, `"#ops,chan-key-31337"`, `"#status", "chan-key-31337"`} {
		_, _, err := parse(t, lines(
			"channels:",
			"  - kind: irc",
			"    name: chan-key-31337",
			"    server: irc.example.com:6697",
			"    nick: status",
			"    channels: ["+entry+"]",
		), nil)
		require.Error(t, err)
		channeltest.AssertNoSecret(t, err.Error(), "chan-key-31337")
		assert.Contains(t, err.Error(), "name: holds one of the channel's secrets", entry)
	}
}
