package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Telegram removes some characters from a message's text before it looks
// for mentions and bot commands in it ("\r", U+2028 to U+202E, U+030A,
// U+0333, U+033F): "@" and a name around one of them are a mention there,
// which notifies that member, and "/" and a word a command. The channel
// drops them first, so that it breaks what Telegram would see; readers
// see the text as Telegram keeps it either way.
func TestSendBreaksMentionsAroundCharactersTelegramRemoves(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	u := testUpdate()
	u.Title = "Ask @\u202eoncall"
	u.Body = "Ask @\u2028admin or @\u030aops, then /\u202astatus or /\r\nrestart and /\u0333retry."
	u.Advice = "Write to @\u033fsupport"
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 1)
	text := got[0].Text
	assert.Contains(t, text, "Ask @\u2060oncall")
	assert.Contains(t, text, "Ask @\u2060admin or @\u2060ops, then /\u2060status or /\nrestart and /\u2060retry.")
	assert.Contains(t, text, "Write to @\u2060support")

	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.NotContains(t, p.Text, "\u202e", "the characters Telegram removes are not sent")
}
