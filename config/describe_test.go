package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// Every kind says what it is configured with in words, as IRC's "irc.example:6697
// (TLS), nick bot, channel #ops" does, not as a URL, and without its
// secrets: a Slack or Google Chat webhook URL is itself one, and a
// Telegram bot token is in the URL of every call.
func TestDescribeInWords(t *testing.T) {
	const (
		slackToken  = "xoxb-1234-5678-abcdefSECRET"
		slackHook   = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"
		discordHook = "https://discord.com/api/webhooks/123456/TOKENSECRETabc"
		teamsHook   = "https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGSECRET"
		chatHook    = "https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEYSECRET&token=TOKSECRET"
		mastoToken  = "MASTOSECRETTOKEN"
		appPassword = "abcd-efgh-ijkl-mnop"
		botToken    = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"
		matrixToken = "syt_MATRIXSECRET"
		spioKey     = "SPIOSECRETKEY"
	)
	y := lines("channels:",
		"  - {kind: slack, name: slack, token: "+slackToken+", channels: ['#ops', C0STATUS02]}",
		"  - {kind: slack, name: slackhook, webhook_url: '"+slackHook+"'}",
		"  - {kind: discord, name: discord, webhook_url: '"+discordHook+"'}",
		"  - {kind: discord, name: forum, webhook_url: '"+discordHook+"', forum: true}",
		"  - {kind: teams, name: teams, webhook_url: '"+teamsHook+"'}",
		"  - {kind: googlechat, name: gchat, webhook_url: '"+chatHook+"'}",
		"  - {kind: mastodon, name: mastodon, server: 'https://mastodon.social', token: "+mastoToken+", visibility: unlisted}",
		"  - {kind: bluesky, name: bluesky, identifier: status.example.com, app_password: "+appPassword+"}",
		"  - {kind: telegram, name: telegram, token: '"+botToken+"', chats: ['@examplestatus', '-1001234567890/42']}",
		"  - {kind: matrix, name: matrix, homeserver: 'https://matrix.example.org', access_token: "+matrixToken+", rooms: ['#status:example.org']}",
		"  - {kind: statuspageio, name: spio, api_key: "+spioKey+", page_id: pageid123}",
	)
	cfg, _, err := parse(t, y, nil)
	require.NoError(t, err)
	for name, want := range map[string]string{
		"slack":     "Slack bot token, channels #ops, C0STATUS02",
		"slackhook": "Slack incoming webhook on hooks.slack.com (posts only)",
		"discord":   "Discord webhook on discord.com",
		"forum":     "Discord webhook on discord.com, forum",
		"teams":     "Teams workflow webhook on prod-00.westus.logic.azure.com",
		"gchat":     "Google Chat webhook on chat.googleapis.com",
		"mastodon":  "mastodon.social, access token, visibility unlisted",
		"bluesky":   "bsky.social as status.example.com, app password",
		"telegram":  "Telegram bot token, chats @examplestatus, -1001234567890/42",
		"matrix":    "matrix.example.org, access token, room #status:example.org",
		"spio":      "Statuspage page pageid123, API key",
	} {
		got := cfg.Describe(name)
		assert.Equal(t, want, got, name)
		channeltest.AssertNoSecret(t, got, slackToken, "XXXXSECRETXXXX", "TOKENSECRETabc", "SIGSECRET", "KEYSECRET", "TOKSECRET",
			mastoToken, appPassword, botToken, "AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0", matrixToken, spioKey)
	}
}

// Describe shows no secret even where a key that is no secret holds the
// same value: Postmark's SMTP takes the server token as both user name and
// password. One from the environment shows as its reference.
func TestDescribeHidesASecretInOtherKeys(t *testing.T) {
	const token = "0b4e7c1a-5f2d-4e8b-9c3a-7d6e5f4a3b2c"
	mail := "channels:\n  - type: email\n    name: mail\n    host: smtp.postmarkapp.com\n    from: s@example.com\n    to: [a@example.com]\n"
	cfg, _, err := parse(t, mail+"    username: ${POSTMARK_TOKEN}\n    password: ${POSTMARK_TOKEN}\n", map[string]string{"POSTMARK_TOKEN": token})
	require.NoError(t, err)
	assert.Equal(t, "smtp.postmarkapp.com (starttls) as ${POSTMARK_TOKEN}, from s@example.com to 1 recipient", cfg.Describe("mail"))

	// Another channel's secret.
	cfg, _, err = parse(t, mail+"    username: ${POSTMARK_TOKEN}\n    password: p\n"+
		"  - {type: webhook, url: 'https://h.example.com', allow_unsigned: true, headers: {X-Postmark-Server-Token: '${POSTMARK_TOKEN}'}}\n",
		map[string]string{"POSTMARK_TOKEN": token})
	require.NoError(t, err)
	assert.Equal(t, "smtp.postmarkapp.com (starttls) as ${POSTMARK_TOKEN}, from s@example.com to 1 recipient", cfg.Describe("mail"))

	cfg, _, err = parse(t, mail+"    username: "+token+"\n    password: "+token+"\n", nil)
	require.NoError(t, err)
	assert.Equal(t, "smtp.postmarkapp.com (starttls) as REDACTED, from s@example.com to 1 recipient", cfg.Describe("mail"))
}
