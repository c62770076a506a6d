package config_test

import "testing"

// A channel entry with several settings its package refuses names each
// of them, a line each at its key's line, in one error: before, the
// channel package's New stopped at the first, and mending a file took a
// run per mistake.
func TestChannelPackageFaultsNamedTogether(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"webhook", lines(
			"channels:",
			"  - kind: webhook",
			"    url: ftp://hooks.example.com/in",
			"    secret: not-a-secret",
			"    headers: {Content-Type: text/plain}",
		), []string{
			`test.yaml:3: channels[0] (webhook "webhook"): url: not an absolute http or https URL`,
			`test.yaml:4: channels[0] (webhook "webhook"): secret: `,
			`test.yaml:5: channels[0] (webhook "webhook"): headers["Content-Type"]: reserved, set by the channel`,
		}},
		{"webhook endpoints", lines(
			"channels:",
			"  - kind: webhook",
			"    endpoints:",
			"      - url: https://hooks.example.com/a",
			"      - url: ftp://hooks.example.com/b",
			"        secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			"    allow_unsigned: true",
			"    headers: {X-Empty: \" \"}",
		), []string{
			`test.yaml:5: channels[0] (webhook "webhook"): endpoints[1].url: not an absolute http or https URL`,
			`test.yaml:8: channels[0] (webhook "webhook"): headers["X-Empty"]: empty value`,
		}},
		{"email", lines(
			"channels:",
			"  - kind: email",
			"    host: smtp.example.com:25",
			"    from: not an address",
			"    to: [ops@example.com]",
			"    concurrency: -1",
		), []string{
			`test.yaml:3: channels[0] (email "email"): host: includes a port; set port`,
			`test.yaml:4: channels[0] (email "email"): from: `,
			`test.yaml:6: channels[0] (email "email"): concurrency: negative`,
		}},
		{"irc", lines(
			"channels:",
			"  - kind: irc",
			"    server: irc.example.com:6697",
			"    nick: \"bad nick\"",
			"    channels: [ops]",
		), []string{
			`test.yaml:4: channels[0] (irc "irc"): nick: `,
			`test.yaml:5: channels[0] (irc "irc"): channels[0]: `,
		}},
		{"slack", lines(
			"channels:",
			"  - kind: slack",
			"    token: xoxb-123-456-abcdef",
			"    base_url: ftp://slack.example.com/api",
			"    channels: [\"#ops\", \"#ops\"]",
		), []string{
			`test.yaml:4: channels[0] (slack "slack"): base_url: `,
			`test.yaml:5: channels[0] (slack "slack"): channels[1]: `,
		}},
		{"bluesky", lines(
			"channels:",
			"  - kind: bluesky",
			"    service: https://bsky.app",
			"    identifier: \"@status.example.com\"",
			"    app_password: abcd-efgh-ijkl-mnop",
			"    languages: [en_US]",
		), []string{
			`test.yaml:3: channels[0] (bluesky "bluesky"): service: bsky.app is Bluesky's web app`,
			`test.yaml:4: channels[0] (bluesky "bluesky"): identifier: starts with "@"`,
			`test.yaml:6: channels[0] (bluesky "bluesky"): languages[0]: "en_US" is not a BCP 47 language tag`,
		}},
		{"console", lines(
			"channels:",
			"  - kind: console",
			"    name: \" ops\"",
			"    template: nosuch",
		), []string{
			`test.yaml:3: channels[0] (console " ops"): name: leading or trailing white space`,
			`test.yaml:4: channels[0] (console " ops"): template: not in templates`,
		}},
		{"discord", lines(
			"channels:",
			"  - kind: discord",
			"    webhook_url: https://discord.com/api/webhooks/123/tok",
			"    thread_id: abc",
			"    forum_tags: [\"1\"]",
			"    username: my discord bot",
		), []string{
			`test.yaml:4: channels[0] (discord "discord"): thread_id: not a Discord id`,
			`test.yaml:5: channels[0] (discord "discord"): forum_tags: set only with forum`,
			`test.yaml:6: channels[0] (discord "discord"): username: Discord refuses names`,
		}},
		{"discord url", lines(
			"channels:",
			"  - discord://tok@123?thread_id=abc&username=discordbot",
		), []string{
			`test.yaml:2: channels[0] (discord "discord"): URL: query thread_id: not a Discord id`,
			`test.yaml:2: channels[0] (discord "discord"): URL: query username: Discord refuses names`,
		}},
		{"googlechat", lines(
			"channels:",
			"  - kind: googlechat",
			"    name: \" ops\"",
			"    webhook_url: https://chat.googleapis.com/v1/spaces/AAA/messages",
		), []string{
			`test.yaml:3: channels[0] (googlechat " ops"): name: leading or trailing white space`,
			`test.yaml:4: channels[0] (googlechat " ops"): webhook_url: want both key= and token=`,
		}},
		{"googlechat url", lines(
			"channels:",
			"  - googlechat://chat.googleapis.com/v1/spaces/AAA/messages?name=%20ops",
		), []string{
			`test.yaml:2: channels[0] (googlechat "googlechat"): URL: query name: leading or trailing white space`,
			`test.yaml:2: channels[0] (googlechat "googlechat"): URL: want both key= and token=`,
		}},
		{"mastodon", lines(
			"channels:",
			"  - kind: mastodon",
			"    server: https://mastodon.social/@status",
			"    token: \"\"",
			"    language: EN",
		), []string{
			`test.yaml:3: channels[0] (mastodon "mastodon"): server: has the path "/@status"`,
			`test.yaml:4: channels[0] (mastodon "mastodon"): token: missing`,
			`test.yaml:5: channels[0] (mastodon "mastodon"): language: "EN" is not an ISO 639 code`,
		}},
		{"matrix", lines(
			"channels:",
			"  - kind: matrix",
			"    homeserver: https://matrix.example.org/_matrix/client",
			"    access_token: syt_abc",
			"    rooms: [\"@ops:example.org\", ops]",
		), []string{
			`test.yaml:3: channels[0] (matrix "matrix"): homeserver: must not hold the API's path`,
			`test.yaml:5: channels[0] (matrix "matrix"): rooms[0]: a user ID`,
			`test.yaml:5: channels[0] (matrix "matrix"): rooms[1]: "ops" is not a room ID`,
		}},
		{"statuspage", lines(
			"channels:",
			"  - kind: statuspage",
			"    dir: site",
			"    base_url: ftp://status.example.com/",
			"    history_days: -1",
			"    title: \"a\\u0007b\"",
		), []string{
			`test.yaml:4: channels[0] (statuspage "statuspage"): base_url: not an absolute http or https URL`,
			`test.yaml:5: channels[0] (statuspage "statuspage"): history_days: negative`,
			`test.yaml:6: channels[0] (statuspage "statuspage"): title: contains a control character`,
		}},
		{"statuspageio", lines(
			"channels:",
			"  - kind: statuspageio",
			"    api_key: abc",
			"    page_id: bad-id",
			"    maintenance_window: -1h",
			"    rate_limit: -1",
		), []string{
			`test.yaml:4: channels[0] (statuspageio "statuspageio"): page_id: "bad-id" holds a character`,
			`test.yaml:5: channels[0] (statuspageio "statuspageio"): maintenance_window: negative`,
			`test.yaml:6: channels[0] (statuspageio "statuspageio"): rate_limit: negative`,
		}},
		{"statuspageio url", lines(
			"channels:",
			"  - statuspageio://abc@page1?base_url=http://api.example.com&name=%20ops",
		), []string{
			`test.yaml:2: channels[0] (statuspageio "statuspageio"): URL: query: name: leading or trailing white space`,
			`test.yaml:2: channels[0] (statuspageio "statuspageio"): URL: query: base_url: must use https`,
		}},
		{"teams", lines(
			"channels:",
			"  - kind: teams",
			"    name: \" ops\"",
			"    webhook_url: https://outlook.office.com/webhook/x",
		), []string{
			`test.yaml:3: channels[0] (teams " ops"): name: leading or trailing white space`,
			`test.yaml:4: channels[0] (teams " ops"): webhook_url: an Office 365 connector's URL`,
		}},
		{"telegram", lines(
			"channels:",
			"  - kind: telegram",
			"    token: \"123:short\"",
			"    chats: [nochat]",
			"    base_url: ftp://api.telegram.org",
		), []string{
			`test.yaml:3: channels[0] (telegram "telegram"): token: not a bot token`,
			`test.yaml:4: channels[0] (telegram "telegram"): chats[0]: want a chat's`,
			`test.yaml:5: channels[0] (telegram "telegram"): base_url: not an absolute https URL`,
		}},
		{"x", lines(
			"channels:",
			"  - kind: x",
			"    consumer_key: a",
			"    consumer_secret: b",
			"    access_token: c",
			"    base_url: ftp://api.x.com",
		), []string{
			`test.yaml:2: channels[0] (x "x"): access_secret: missing`,
			`test.yaml:6: channels[0] (x "x"): base_url: not an absolute https URL`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			assertFaults(t, err, tt.want...)
		})
	}
}
