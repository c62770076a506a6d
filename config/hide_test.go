package config_test

import (
	"encoding/base64"
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
// URL key (home_url) is a secret too.
func TestHidePasswordOfAPlainURLKey(t *testing.T) {
	const password = "proxy-pass-8c1f2e"
	cfg, _, err := parse(t, lines(
		"channels:",
		"  - kind: statuspage",
		"    dir: "+t.TempDir(),
		"    base_url: https://status.example.com/",
		"    title: Example Status",
		"    home_url: https://web:${HOME_PASSWORD}@intranet.example.com/",
	), map[string]string{"HOME_PASSWORD": password})
	require.NoError(t, err)
	out := cfg.Hide("statuspage: home https://web:" + password + "@intranet.example.com/ (" + password + ")")
	channeltest.AssertNoSecret(t, out, password)
}
