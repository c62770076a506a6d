package outagecast_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/channels/bluesky"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/discord"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/googlechat"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/channels/mastodon"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/channels/slack"
	"github.com/outagecast/outagecast/channels/statuspage"
	"github.com/outagecast/outagecast/channels/statuspageio"
	"github.com/outagecast/outagecast/channels/teams"
	"github.com/outagecast/outagecast/channels/telegram"
	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/channels/webhook"
)

// urlSecrets are the secrets the channel URLs below carry, in place of
// "{S}": one of letters and digits, and one of digits only, which is what a
// port holds when a "/", "?" or "#" in a password cuts the host short.
var urlSecrets = []string{"s3cr3tPW", "73194628501937465820"}

// parseURL wraps each channel's ParseURL, keeping only its error.
func parseURL[C any](parse func(string) (C, error)) func(string) error {
	return func(raw string) error {
		_, err := parse(raw)
		return err
	}
}

// secretURLs are channel URLs with "{S}" where a user writes a secret: each
// credential position of each URL form, and the wrong places and misspelt
// names a secret is written with, the URL itself among them.
var secretURLs = []struct {
	channel string
	parse   func(string) error
	raw     string
}{
	{"bluesky", parseURL(bluesky.ParseURL), "bluesky://status.example.com:{S}@bsky.social?lang=en&name=ops"},
	{"bluesky", parseURL(bluesky.ParseURL), "bluesky+http://status.example.com:{S}@127.0.0.1:2583"},
	{"console", parseURL(console.ParseURL), "console://user:{S}@stderr?template=short"},
	{"discord", parseURL(discord.ParseURL), "discord://{S}@1234567890123456789?thread_id=1234567890123456789"},
	{"discord", parseURL(discord.ParseURL), "discord://1234567890123456789?token={S}"},
	{"email", parseURL(email.ParseURL), "smtp://user:{S}@smtp.example.com:587/?from=s@example.com&to=a@example.com"},
	{"email", parseURL(email.ParseURL), "smtps://user:{S}@smtp.example.com/?from=s@example.com&to=a@example.com&timeout=10s"},
	{"email", parseURL(email.ParseURL), "smtp://smtp.example.com:587/?from=s@example.com&password={S}"},
	{"googlechat", parseURL(googlechat.ParseURL), "googlechat://chat.googleapis.com/v1/spaces/AAAA/messages?key={S}&token=tok"},
	{"googlechat", parseURL(googlechat.ParseURL), "googlechat://chat.googleapis.com/v1/spaces/AAAA/messages?key=key&token={S}&name=ops"},
	{"googlechat", parseURL(googlechat.ParseURL), "googlechat://chat.googleapis.com/v1/spaces/AAAA/messages?key=key&tokn={S}"},
	{"irc", parseURL(irc.ParseURL), "ircs://status:{S}@irc.example.com:6697/ops?notice=true"},
	{"irc", parseURL(irc.ParseURL), "ircs://status@irc.example.com/ops?sasl_user=status&sasl_password={S}&notice=true"},
	{"irc", parseURL(irc.ParseURL), "ircs://status@irc.example.com/ops?sasl_user=status&sasl_pasword={S}"},
	{"irc", parseURL(irc.ParseURL), "ircs://status@irc.example.com/ops%20{S},dev?notice=true"},
	{"mastodon", parseURL(mastodon.ParseURL), "mastodon://{S}@mastodon.social?visibility=unlisted&language=en"},
	{"mastodon", parseURL(mastodon.ParseURL), "mastodon://mastodon.social?access_token={S}"},
	{"matrix", parseURL(matrix.ParseURL), "matrix://:{S}@matrix.example.org/?rooms=!abc:example.org&notice=yes"},
	{"matrix", parseURL(matrix.ParseURL), "matrix://{S}@matrix.example.org/?rooms=!abc:example.org"},
	{"matrix", parseURL(matrix.ParseURL), "matrix://matrix.example.org/?rooms=!abc:example.org&access_token={S}"},
	{"slack", parseURL(slack.ParseURL), "slack://xoxb:{S}@slack.com/C0STATUS02?name=ops"},
	{"slack", parseURL(slack.ParseURL), "slack://hook:T0001-B0001-{S}@hooks.slack.com?name=ops"},
	{"slack", parseURL(slack.ParseURL), "slack://slack.com/C0STATUS02?token=xoxb-{S}"},
	{"statuspage", parseURL(statuspage.ParseURL), "statuspage:status-site?base_url=https://user:{S}@status.example.com/&title=Status"},
	{"statuspageio", parseURL(statuspageio.ParseURL), "statuspageio://{S}@abc123def456?notify=no&rate_limit=1"},
	{"statuspageio", parseURL(statuspageio.ParseURL), "statuspageio://abc123def456?api_key={S}"},
	{"teams", parseURL(teams.ParseURL), "teams://prod-42.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=1&sv=1.0&sig={S}#name=ops"},
	{"teams", parseURL(teams.ParseURL), "teams://default1a2b.3c.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/{S}/triggers/manual/paths/invoke?sig=x"},
	{"telegram", parseURL(telegram.ParseURL), "telegram://123456789:{S}@telegram?chats=@examplestatus&preview=small"},
	{"telegram", parseURL(telegram.ParseURL), "telegram://telegram?chats=@examplestatus&token=123456789:{S}"},
	{"twitter", parseURL(twitter.ParseURL), "x://api.x.com?consumer_key={S}&consumer_secret=cs&access_token=at&access_secret=as"},
	{"twitter", parseURL(twitter.ParseURL), "x://api.x.com?consumer_key=ck&consumer_secret={S}&access_token=at&access_secret=as"},
	{"twitter", parseURL(twitter.ParseURL), "x://api.x.com?consumer_key=ck&consumer_secret=cs&access_token={S}&access_secret=as"},
	{"twitter", parseURL(twitter.ParseURL), "x://api.x.com?consumer_key=ck&consumer_secret=cs&access_token=at&access_secret={S}"},
	{"twitter", parseURL(twitter.ParseURL), "x://api.x.com?consumer_key=ck&consumer_secrte={S}"},
	{"webhook", parseURL(webhook.ParseURL), "webhook://hooks.example.com/outagecast?secret={S}&concurrency=2"},
	{"webhook", parseURL(webhook.ParseURL), "webhook://hooks.example.com/outagecast?secret=whsec_a&previous_secret={S}"},
	{"webhook", parseURL(webhook.ParseURL), "webhook+http://127.0.0.1:8090/in?allow_unsigned=true&@Authorization=Bearer%20{S}"},
	{"webhook", parseURL(webhook.ParseURL), "webhook://user:{S}@hooks.example.com/in?secret=whsec_a"},
	{"webhook", parseURL(webhook.ParseURL), "webhook://hooks.example.com/hooks/{S}?secret=whsec_a"},
	{"webhook", parseURL(webhook.ParseURL), "webhook://hooks.example.com/in?token={S}&secret=whsec_a"},
	// A secret pasted where the URL goes.
	{"bluesky", parseURL(bluesky.ParseURL), "{S}"},
	{"console", parseURL(console.ParseURL), "{S}"},
	{"discord", parseURL(discord.ParseURL), "{S}"},
	{"email", parseURL(email.ParseURL), "{S}"},
	{"googlechat", parseURL(googlechat.ParseURL), "{S}"},
	{"irc", parseURL(irc.ParseURL), "{S}"},
	{"mastodon", parseURL(mastodon.ParseURL), "{S}"},
	{"matrix", parseURL(matrix.ParseURL), "{S}"},
	{"slack", parseURL(slack.ParseURL), "{S}"},
	{"statuspage", parseURL(statuspage.ParseURL), "{S}"},
	{"statuspageio", parseURL(statuspageio.ParseURL), "{S}"},
	{"teams", parseURL(teams.ParseURL), "{S}"},
	{"telegram", parseURL(telegram.ParseURL), "{S}"},
	{"twitter", parseURL(twitter.ParseURL), "{S}"},
	{"webhook", parseURL(webhook.ParseURL), "{S}"},
}

// secretForms are the ways secret is written in a URL: as is; as what
// follows a "?" or "#" that cut it short, a value, a name with a badly
// escaped value, a fragment's name; and with each character that ends a
// part of a URL, or escapes, before it, after it and within it, unescaped
// as a user pastes it.
func secretForms(secret string) []string {
	forms := []string{secret, "?a=" + secret, "?" + secret + "=%zz", "#" + secret + "=x"}
	for _, c := range strings.Split(`?#/&=@:%;+ \`, "") {
		forms = append(forms, c+secret, secret+c, secret[:4]+c+secret[4:])
	}
	return forms
}

// A channel URL's error never quotes any part of a secret in it, however
// the secret is written: no four characters of it in a row, in any case.
// A URL that parses needs no more than not to panic.
func TestParseURLErrorsQuoteNoSecret(t *testing.T) {
	for _, tt := range secretURLs {
		for _, secret := range urlSecrets {
			for _, form := range secretForms(secret) {
				raw := strings.ReplaceAll(tt.raw, "{S}", form)
				if err := tt.parse(raw); err != nil {
					assertQuotesNoPiece(t, err.Error(), secret, tt.channel+": ParseURL("+strconv.Quote(raw)+")")
				}
			}
		}
	}
}

// assertQuotesNoPiece checks that msg holds no four characters in a row of
// secret, in any case.
func assertQuotesNoPiece(t *testing.T, msg, secret, what string) {
	t.Helper()
	for i := 0; i+4 <= len(secret); i++ {
		if piece := secret[i : i+4]; strings.Contains(strings.ToLower(msg), strings.ToLower(piece)) {
			t.Errorf("%s: the error quotes %q of the secret: %s", what, piece, msg)
			return
		}
	}
}
