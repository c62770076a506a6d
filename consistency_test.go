package outagecast_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/channels/twitter"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// Every channel says the same thing, cleanly: a Body pasted from a terminal
// (ANSI colours, BEL, NUL-free C0 and C1 controls, DEL) reaches no channel
// with a control character in it, and every channel shows the same cleaned
// words. A blank Body leaves no stray separator.
func TestEveryChannelShowsTheSameCleanText(t *testing.T) {
	u := broadcast.Update{
		IncidentID: "cdn-42",
		Title:      "\x1b[1mCDN\x1b[0m errors\a",
		Status:     broadcast.StatusInvestigating,
		Body:       "Error rates are \x1b[31mup\x1b[0m in Europe.\x7f\u0085\x1b]0;title\x07",
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
	}
	texts := map[string]string{}

	// The console writes what it sends.
	var out bytes.Buffer
	con, err := console.New(console.Config{Writer: &out})
	require.NoError(t, err)
	_, err = con.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	texts["console"] = out.String()

	// X, e-mail and IRC render without I/O in Preview.
	x, err := twitter.New(twitter.Config{ConsumerKey: redact.NewSecret("ck"), ConsumerSecret: redact.NewSecret("cs"),
		AccessToken: redact.NewSecret("at"), AccessSecret: redact.NewSecret("as")})
	require.NoError(t, err)
	mail, err := email.New(email.Config{Host: "mail.example.com", From: "status@example.com", To: []string{"ops@example.com"}})
	require.NoError(t, err)
	chat, err := irc.New(irc.Config{Server: "irc.example.com:6697", Nick: "status", Channels: irc.ChannelList{"#ops"}})
	require.NoError(t, err)
	for name, ch := range map[string]broadcast.Previewer{"x": x, "email": mail, "irc": chat} {
		p, err := ch.Preview(broadcast.NewMessage(u).Update)
		require.NoError(t, err, name)
		texts[name] = p.Subject + "\n" + p.Text
	}

	// The webhook carries the update itself: the same cleaned fields.
	var mu sync.Mutex
	var payload struct {
		Data struct {
			Title string `json:"title"`
			Body  string `json:"body"`
		} `json:"data"`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		assert.NoError(t, json.Unmarshal(b, &payload))
	}))
	defer srv.Close()
	hook, err := webhook.New(webhook.Config{URL: redact.NewURL(srv.URL + "/hook"),
		Secret: redact.NewSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")})
	require.NoError(t, err)
	defer hook.Close()
	b, err := broadcast.New([]broadcast.Channel{hook}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err)
	mu.Lock()
	texts["webhook"] = payload.Data.Title + "\n" + payload.Data.Body
	mu.Unlock()

	for name, text := range texts {
		assert.False(t, strings.ContainsFunc(text, func(r rune) bool {
			return r != '\n' && r != '\t' && (r < 0x20 || r >= 0x7f && r <= 0x9f)
		}), "%s carries a control character: %q", name, text)
		assert.Contains(t, text, "CDN errors", name)
		assert.Contains(t, text, "Error rates are up in Europe.", name)
		assert.NotContains(t, text, "title", "%s kept an escape sequence's text", name)
	}

	// A blank body leaves no separator on the one-line channels.
	u.Body = " \n\t "
	for name, ch := range map[string]broadcast.Previewer{"x": x, "irc": chat} {
		p, err := ch.Preview(broadcast.NewMessage(u).Update)
		require.NoError(t, err, name)
		assert.NotContains(t, p.Text, "—", "%s: %q", name, p.Text)
	}
}
