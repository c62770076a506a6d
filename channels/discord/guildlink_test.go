package discord

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Discord's message objects from its HTTP API name no guild: Discord
// keeps messages by channel, and declined to add guild_id to them
// (https://github.com/discord/discord-api-docs/issues/912); the message
// object (https://discord.com/developers/docs/resources/message#message-object)
// has no such field, and the fake answers as Discord does. The webhook
// object names it (Get Webhook with Token), which Check asks: once Check
// has run, the Receipt's URL links to the message, with no request of
// Send's own. Before, the URL was made only of a guild_id in the
// message's answer, which Discord never sends, so every Receipt went
// without it, Check or not. (A Send without Check asks for the guild
// itself: see TestReceiptLinksMessageWithoutCheck.)
func TestReceiptLinksMessageOnceCheckNamedGuild(t *testing.T) {
	for _, forum := range []bool{false, true} {
		f := newFake(t, fakeOptions{forum: forum})
		ch := newChannelNoGuild(t, f, nil)
		require.NoError(t, ch.Check(context.Background()))
		sent := len(f.sent())
		r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
		require.NoError(t, err, "forum %v", forum)
		r2, err := ch.Send(context.Background(), broadcast.Message{Update: resolvedUpdate, Thread: broadcast.Thread{Root: r, Last: r}})
		require.NoError(t, err)
		assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+r2.Meta[metaChannel]+"/"+r2.ID, r2.URL, "forum %v", forum)
		for _, req := range f.sent()[sent:] {
			assert.False(t, req.method == http.MethodGet && req.path == "/api/v10/webhooks/"+testID+"/"+testToken,
				"Send asks no webhook of its own")
		}
	}
}

// A correction of a message whose Receipt has no URL (posted before the
// guild was known) links to it once the guild is known: the edit's
// Receipt replaces the original's. Before, it kept the original's empty
// URL.
func TestEditLinksMessageOnceCheckNamedGuild(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannelNoGuild(t, f, nil)
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	r.URL = "" // a Receipt of a version that did not link without Check
	require.NoError(t, ch.Check(context.Background()))
	fixed := fullUpdate
	fixed.ID, fixed.Corrects, fixed.Body = "u_fixed", fullUpdate.ID, "The cause was a bad certificate."
	e, err := ch.Edit(context.Background(), broadcast.Message{Update: fixed, Thread: broadcast.Thread{Root: r, Last: r}}, r)
	require.NoError(t, err)
	assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+parentID+"/"+r.ID, e.URL)
}
