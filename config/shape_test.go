package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/config"
)

// A secret from the environment is hidden by its reference whatever its
// shape: one with no digit, short of the length token detection wants,
// is as secret as a real token, wherever a kind's Config holds it (a
// redact.Secret, or the user part, path or query of a redact.URL), in
// the full form and in the URL form. Every kind is covered: a kind added
// without a case here fails.
func TestHideSecretsOfEveryShape(t *testing.T) {
	const value = "hushabc" // letters only, 7 bytes: nothing like a token
	cases := map[string][][]string{
		"console": nil, // holds no secret
		"webhook": {
			{"- kind: webhook", "  url: https://hooks.example.com/in", "  secret: whsec_${S}${S}${S}${S}AAAA"},
			{"- kind: webhook", "  url: https://hooks.example.com/in/${S}", "  allow_unsigned: true"},
			{"- kind: webhook", "  url: https://hooks.example.com/in?code=x&s=${S}", "  allow_unsigned: true"},
			{"- kind: webhook", "  url: https://hooks.example.com/in", "  allow_unsigned: true", "  headers: {X-Token: \"${S}\"}"},
			{"- kind: webhook", "  allow_unsigned: true", "  endpoints: [{url: \"https://a.example.com/in/${S}\"}]"},
			{"- webhook://hooks.example.com/in/${S}?allow_unsigned=true"},
		},
		"email": {
			{"- kind: email", "  host: smtp.example.com", "  username: u", "  password: ${S}", "  from: s@example.com", "  to: [a@example.com]"},
			{"- smtp://u:${S}@smtp.example.com:587/?from=s%40example.com&to=a%40example.com"},
		},
		"x": {
			{"- kind: x", "  consumer_key: ${S}", "  consumer_secret: b", "  access_token: c", "  access_secret: d"},
			{"- kind: x", "  oauth2_access_token: ${S}"},
			{"- x://api.x.com?consumer_key=a&consumer_secret=b&access_token=c&access_secret=${S}"},
		},
		"irc": {
			{"- kind: irc", "  server: irc.example.com:6697", "  nick: status", "  channels: ['#ops']", "  sasl_user: u", "  sasl_password: ${S}"},
			{"- kind: irc", "  server: irc.example.com:6697", "  nick: status", "  channels: [\"#ops ${S}\"]"},
			{"- ircs://bot:${S}@irc.example.com:6697/ops"},
		},
		"statuspage": nil, // holds no secret: its URLs refuse credentials
		"statuspageio": {
			{"- kind: statuspageio", "  api_key: ${S}", "  page_id: kctbh9vrtdwd"},
			{"- statuspageio://${S}@kctbh9vrtdwd"},
		},
		"slack": {
			{"- kind: slack", "  token: xoxb-${S}", "  channels: ['#ops']"},
			{"- kind: slack", "  webhook_url: https://hooks.slack.com/services/T0STATUS/B0HOOKS/${S}"},
			{"- slack://hook:T0STATUS-B0HOOKS-${S}@hooks.slack.com"},
		},
		"teams": {
			{"- kind: teams", "  webhook_url: https://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=${S}&sv=1.0&sig=x"},
			{"- kind: teams", "  webhook_url: https://prod-42.westeurope.logic.azure.com/workflows/${S}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=x"},
		},
		"discord": {
			{"- kind: discord", "  webhook_url: https://discord.com/api/webhooks/123456789012345678/${S}"},
			{"- discord://${S}@123456789012345678"},
		},
		"googlechat": {
			{"- kind: googlechat", "  webhook_url: https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=${S}"},
			{"- googlechat://chat.googleapis.com/v1/spaces/AAAA/messages?key=${S}&token=t"},
		},
		"mastodon": {
			{"- kind: mastodon", "  server: https://mastodon.example.com", "  token: ${S}"},
			{"- mastodon://${S}@mastodon.example.com"},
		},
		"bluesky": {
			{"- kind: bluesky", "  identifier: status.example.com", "  app_password: ${S}"},
			{"- bluesky://status.example.com:${S}@bsky.social"},
		},
		"telegram": {
			{"- kind: telegram", "  token: 123456789:AAAAAAAAAAAAAAAAAAAA${S}", "  chats: ['@examplestatus']"},
			{"- telegram://123456789:AAAAAAAAAAAAAAAAAAAA${S}@telegram?chats=@examplestatus"},
		},
		"matrix": {
			{"- kind: matrix", "  homeserver: https://matrix.example.org", "  access_token: ${S}", "  rooms: ['!abc:example.org']"},
			{"- matrix://:${S}@matrix.example.org/?rooms=!abc:example.org"},
		},
	}
	vars := map[string]string{"S": value}
	for _, k := range config.Kinds() {
		entries, ok := cases[k.Name()]
		require.True(t, ok, "kind %s: no case", k.Name())
		for i, entry := range entries {
			file := "channels:\n  " + strings.Join(entry, "\n  ") + "\n"
			t.Run(fmt.Sprintf("%s/%d", k.Name(), i), func(t *testing.T) {
				cfg, _, err := parse(t, file, vars)
				require.NoError(t, err)
				out := cfg.Hide("401 for " + value + ` ("` + value + `")`)
				channeltest.AssertNoSecret(t, out, value)
				assert.Equal(t, `401 for ${S} ("${S}")`, out)
				for later, yaml := range map[string]string{
					"a later channel's name": file + "  - {kind: webhook, name: \"later ${S}\"}\n",
					"a later stage":          "stages: [[\"${S}\"]]\n" + file,
				} {
					_, _, err := parse(t, yaml, vars)
					require.Error(t, err, later)
					channeltest.AssertNoSecret(t, err.Error(), value)
					assert.Contains(t, err.Error(), "${S}", later)
				}
			})
		}
	}
	require.Len(t, cases, len(config.Kinds()), "a case for a kind that does not exist")
}
