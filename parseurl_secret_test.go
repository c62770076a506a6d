package outagecast_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

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
// "{S}": one of letters and digits, one of digits only, and one that
// starts with digits. The digits before a "/", "?" or "#" in a password,
// not %-escaped, are what a port holds when that character cuts the
// authority short: url.Parse takes the user name for the host.
var urlSecrets = []string{"s3cr3tPW", "73194628501937465820", "7319Zq8xKw5v"}

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
	{"irc", parseURL(irc.ParseURL), "ircs://status@irc.example.com/%23ops%20{S},%23dev?notice=true"},
	{"irc", parseURL(irc.ParseURL), "ircs://status@irc.example.com/ops?notice=true&key={S}"},
	{"mastodon", parseURL(mastodon.ParseURL), "mastodon://{S}@mastodon.social?visibility=unlisted&language=en"},
	{"mastodon", parseURL(mastodon.ParseURL), "mastodon://mastodon.social?access_token={S}"},
	{"matrix", parseURL(matrix.ParseURL), "matrix://:{S}@matrix.example.org/?rooms=!abc:example.org&notice=yes"},
	{"matrix", parseURL(matrix.ParseURL), "matrix://{S}@matrix.example.org/?rooms=!abc:example.org"},
	{"matrix", parseURL(matrix.ParseURL), "matrix://matrix.example.org/?rooms=!abc:example.org&access_token={S}"},
	{"slack", parseURL(slack.ParseURL), "slack://xoxb:{S}@slack.com/C0STATUS02?name=ops"},
	{"slack", parseURL(slack.ParseURL), "slack://hook:T0001-B0001-{S}@hooks.slack.com?name=ops"},
	{"slack", parseURL(slack.ParseURL), "slack://slack.com/C0STATUS02?token=xoxb-{S}"},
	{"statuspage", parseURL(statuspage.ParseURL), "statuspage:status-site?base_url=https://user:{S}@status.example.com/&title=Status"},
	{"slack", parseURL(slack.ParseURL), "slack://xoxb:1-2-3@slack.com/C0STATUS02?base_url=https://proxy:{S}@slack.example.com/api/"},
	{"twitter", parseURL(twitter.ParseURL), "x://api.x.com?consumer_key=ck&consumer_secret=cs&access_token=at&access_secret=as&base_url=https://proxy:{S}@api.example.com"},
	{"statuspageio", parseURL(statuspageio.ParseURL), "statuspageio://{S}@abc123def456?notify=no&rate_limit=1"},
	{"statuspageio", parseURL(statuspageio.ParseURL), "statuspageio://abc123def456?api_key={S}"},
	{"teams", parseURL(teams.ParseURL), "teams://prod-42.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=1&sv=1.0&sig={S}#name=ops"},
	{"teams", parseURL(teams.ParseURL), "teams://user:{S}@prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x"},
	{"teams", parseURL(teams.ParseURL), "teams://default1a2b.3c.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/{S}/triggers/manual/paths/invoke?sig=x"},
	{"telegram", parseURL(telegram.ParseURL), "telegram://123456789:{S}@telegram?chats=@examplestatus&preview=small"},
	{"telegram", parseURL(telegram.ParseURL), "telegram://telegram?chats=@examplestatus&token=123456789:{S}"},
	{"telegram", parseURL(telegram.ParseURL), "telegram+http://123456789:{S}@127.0.0.1:8081/bot123456789:{S}?chats=@examplestatus"},
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
	{"discord", parseURL(discord.ParseURL), "discord://tok@1234567890123456789?avatar_url=https://cdn:{S}@cdn.example.com/a.png"},
	{"discord", parseURL(discord.ParseURL), "discord://tok@1234567890123456789?avatar_url=https%3A%2F%2Fcdn.example.com%2Fa.png%3Ftoken%3D{S}"},
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
// A URL that parses needs no more here than not to panic; one whose
// password a "/", "?" or "#" cut short must not parse (see
// TestParseURLRefusesPasswordCutAfterDigits).
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

// A URL inside a channel URL that its Config keeps as a plain string,
// which prints, refuses credentials: a service's base_url in its user
// information (Telegram's, from the host and path, the bot token in its
// path), and what the platform shows publicly (Discord's avatar_url) also
// in a query parameter named as one.
func TestParseURLRefusesCredentialsInPlainURLs(t *testing.T) {
	for _, tt := range secretURLs {
		if !strings.Contains(tt.raw, "avatar_url=") && !strings.Contains(tt.raw, "base_url=") && !strings.Contains(tt.raw, "/bot") {
			continue
		}
		for _, secret := range urlSecrets {
			raw := strings.ReplaceAll(tt.raw, "{S}", secret)
			err := tt.parse(raw)
			if err == nil {
				t.Errorf("%s: ParseURL(%q) parses", tt.channel, raw)
				continue
			}
			assertQuotesNoPiece(t, err.Error(), secret, tt.channel+": ParseURL("+strconv.Quote(raw)+")")
		}
	}
}

// A password whose first characters are digits, cut short by a "/", "?"
// or "#" not %-escaped, leaves a URL that url.Parse reads without user
// information, the user name as the host and the digits as its port, and
// the rest of the password, with the real host, in the path, query or
// fragment. Every user information position of every URL form refuses
// it, without quoting it: parsed, the channel would send to the wrong
// host with the rest of the password in its request. (An IRC URL reads
// "#" as itself, never as a fragment: there the password keeps it.)
func TestParseURLRefusesPasswordCutAfterDigits(t *testing.T) {
	for _, tt := range secretURLs {
		if !inUserinfo(tt.raw) {
			continue
		}
		for _, secret := range urlSecrets[1:] { // those that start with digits
			for _, c := range []string{"/", "?", "#"} {
				for _, form := range []string{secret[:4] + c + secret[4:], secret + c} {
					raw := strings.ReplaceAll(tt.raw, "{S}", form)
					err := tt.parse(raw)
					if tt.channel == "irc" && c == "#" {
						assert.NoError(t, err, raw)
						continue
					}
					if err == nil {
						t.Errorf("%s: ParseURL(%q) parses", tt.channel, raw)
						continue
					}
					assertQuotesNoPiece(t, err.Error(), secret, tt.channel+": ParseURL("+strconv.Quote(raw)+")")
				}
			}
		}
	}
}

// inUserinfo reports whether the secret of raw, one of secretURLs, is in
// the URL's user information.
func inUserinfo(raw string) bool {
	u, err := url.Parse(strings.ReplaceAll(raw, "{S}", "s3cr3tPW"))
	return err == nil && u.User != nil && strings.Contains(u.User.String(), "s3cr3tPW")
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
