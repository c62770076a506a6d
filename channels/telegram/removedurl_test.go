package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The update's URL may hold the combining marks Telegram removes from a
// message's text (U+030A, U+0333, U+033F: Update.Validate takes them).
// Where Telegram ends the link before them ("»", ")"), the rest is text
// to Telegram, and "/\u0333status" there would become the command
// "/status", "@\u030aops" the mention "@ops". The channel writes those
// marks %-escaped, which links to the page the author named (Telegram's
// removal would link to another), and leaves neither to form.
func TestSendQuietsURLAroundCharactersTelegramRemoves(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	for in, want := range map[string]string{
		"https://status.example.com/«x»/\u0333status": "https://status.example.com/«x»/%CC%B3status",
		"https://status.example.com/a)/@\u030aops":    "https://status.example.com/a)/@%CC%8Aops",
		"https://status.example.com/a\u033f":          "https://status.example.com/a%CC%BF",
	} {
		u := testUpdate()
		u.URL = in
		require.NoError(t, u.Validate(), "%q", in)
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
		got := f.Received()
		text := got[len(got)-1].Text
		assert.Contains(t, text, want, "%q", in)

		p, err := ch.Preview(u)
		require.NoError(t, err)
		assert.Contains(t, p.Text, want, "%q: Preview shows what Send posts", in)
		assert.Equal(t, p.Text, cleanText(p.Text), "%q: nothing for Telegram to remove", in)
	}
}
