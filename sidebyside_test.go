package outagecast_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/bluesky"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/discord"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/googlechat"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/channels/mastodon"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/channels/slack"
	"github.com/outagecast/outagecast/channels/teams"
	"github.com/outagecast/outagecast/channels/telegram"
	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/redact"
)

// previewers returns every channel that shows an update's status line in
// its text, by name, configured without I/O.
func previewers(t *testing.T) map[string]broadcast.Previewer {
	t.Helper()
	sec := redact.NewSecret
	out := map[string]broadcast.Previewer{}
	add := func(name string, p broadcast.Previewer, err error) {
		require.NoError(t, err, name)
		out[name] = p
	}
	con, err := console.New(console.Config{Writer: &strings.Builder{}})
	add("console", con, err)
	x, err := twitter.New(twitter.Config{ConsumerKey: sec("ck"), ConsumerSecret: sec("cs"),
		AccessToken: sec("at"), AccessSecret: sec("as")})
	add("x", x, err)
	mail, err := email.New(email.Config{Host: "mail.example.com", From: "status@example.com", To: []string{"ops@example.com"}})
	add("email", mail, err)
	chat, err := irc.New(irc.Config{Server: "irc.example.com:6697", Nick: "status", Channels: irc.ChannelList{"#ops"}})
	add("irc", chat, err)
	sky, err := bluesky.New(bluesky.Config{Identifier: "status.bsky.social", AppPassword: sec("p")})
	add("bluesky", sky, err)
	toot, err := mastodon.New(mastodon.Config{Server: "https://mastodon.example.com", Token: sec("t")})
	add("mastodon", toot, err)
	dc, err := discord.New(discord.Config{WebhookURL: redact.NewURL("https://discord.com/api/webhooks/1/abc")})
	add("discord", dc, err)
	gc, err := googlechat.New(googlechat.Config{WebhookURL: redact.NewURL("https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t")})
	add("googlechat", gc, err)
	mx, err := matrix.New(matrix.Config{Homeserver: "https://matrix.example.com", AccessToken: sec("t"), Rooms: []string{"!a:example.com"}})
	add("matrix", mx, err)
	sl, err := slack.New(slack.Config{Token: sec("xoxb-1"), Channels: []string{"C1"}})
	add("slack", sl, err)
	tm, err := teams.New(teams.Config{WebhookURL: redact.NewURL("https://prod-01.westeurope.logic.azure.com/workflows/a/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=x")})
	add("teams", tm, err)
	tg, err := telegram.New(telegram.Config{Token: sec("123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"), Chats: []string{"@opsroom"}})
	add("telegram", tg, err)
	return out
}

// One update, rendered by every channel side by side, reads the same way
// everywhere: the status line first ("Correction: " before it for a
// correction), the advice right after it and before the body, the next
// update in UTC with its zone (none once the incident or maintenance is
// over), and the URL whole.
func TestEveryChannelWordsAnUpdateAlike(t *testing.T) {
	cases := []struct {
		status   broadcast.Status
		headline string
		corrects string
	}{
		{broadcast.StatusIdentified, "Identified", ""},
		{broadcast.StatusIdentified, "Identified", "u_41"},
		{broadcast.StatusInProgress, "Maintenance in progress", ""},
		{broadcast.StatusResolved, "Resolved", "u_41"},
		{broadcast.StatusCompleted, "Maintenance completed", ""},
	}
	for _, tc := range cases {
		corrects := tc.corrects
		u := broadcast.Update{
			ID: "u_42", IncidentID: "cdn-42", Title: "Elevated CDN error rates",
			Status: tc.status, Impact: broadcast.ImpactMajor,
			Body:       "Error rates are up in Europe since 09:40 UTC.\n\nA faulty configuration push is being rolled back.",
			Advice:     "Retry failed requests.",
			Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentMajorOutage}},
			URL:        "https://status.example.com/incidents/42",
			Time:       time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
			NextUpdate: time.Date(2026, 11, 30, 10, 30, 0, 0, time.UTC),
			Corrects:   corrects,
		}
		head := tc.headline + ": Elevated CDN error rates"
		if corrects != "" {
			head = "Correction: " + head
		}
		for name, p := range previewers(t) {
			t.Run(name+"/"+string(tc.status)+"/corrects="+corrects, func(t *testing.T) {
				got, err := p.Preview(u)
				require.NoError(t, err)
				text := got.Text
				status := strings.Index(text, head)
				require.GreaterOrEqualf(t, status, 0, "the status line %q in:\n%s", head, text)
				assert.NotContainsf(t, text[:status], tc.headline, "nothing but the correction marker before the status:\n%s", text)
				advice := strings.Index(text, "What you can do:")
				body := strings.Index(text, "Error rates are up")
				require.Greaterf(t, advice, status, "the advice after the status line:\n%s", text)
				if body >= 0 {
					assert.Lessf(t, advice, body, "the advice before the body:\n%s", text)
				}
				if tc.status.Closes() {
					assert.NotContainsf(t, text, "Next update", "no next update once it is over:\n%s", text)
				} else {
					assert.Containsf(t, text, "Next update by 10:30 UTC", "the next update, in UTC:\n%s", text)
				}
				assert.Containsf(t, text, u.URL, "the URL whole:\n%s", text)
			})
		}
	}
}
