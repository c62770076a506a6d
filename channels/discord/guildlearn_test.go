package discord

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// getsOfWebhook counts the requests for the webhook object (Get Webhook
// with Token) the fake received.
func (f *fakeDiscord) getsOfWebhook() int {
	n := 0
	for _, req := range f.sent() {
		if req.method == http.MethodGet && req.path == "/api/v10/webhooks/"+testID+"/"+testToken {
			n++
		}
	}
	return n
}

// A user who only calls Send (no Check) gets Receipts that link to their
// message: the first Send asks Discord for the webhook's guild (Get
// Webhook with Token) once, and no later call of the Channel asks again.
// Before, the guild was learnt only by Check, and such Receipts, and the
// edits' too, had no URL.
func TestReceiptLinksMessageWithoutCheck(t *testing.T) {
	for _, forum := range []bool{false, true} {
		f := newFake(t, fakeOptions{forum: forum})
		ch := newChannelNoGuild(t, f, nil)
		r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
		require.NoError(t, err, "forum %v", forum)
		assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+r.Meta[metaChannel]+"/"+r.ID, r.URL, "forum %v", forum)
		r2, err := ch.Send(context.Background(), broadcast.Message{Update: resolvedUpdate, Thread: broadcast.Thread{Root: r, Last: r}})
		require.NoError(t, err, "forum %v", forum)
		assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+r2.Meta[metaChannel]+"/"+r2.ID, r2.URL, "forum %v", forum)
		fixed := fullUpdate
		fixed.ID, fixed.Corrects, fixed.Body = "u_fixed", fullUpdate.ID, "The cause was a bad certificate."
		noURL := r
		noURL.URL = ""
		e, err := ch.Edit(context.Background(), broadcast.Message{Update: fixed, Thread: broadcast.Thread{Root: r, Last: r2}}, noURL)
		require.NoError(t, err, "forum %v", forum)
		assert.Equal(t, r.URL, e.URL, "forum %v: an edit links to its message", forum)
		assert.Equal(t, 1, f.getsOfWebhook(), "forum %v: the guild is asked once", forum)
	}
}

// An Edit, the Channel's first call, links its Receipt to the message too.
func TestEditLinksMessageWithoutCheck(t *testing.T) {
	f := newFake(t, fakeOptions{})
	r := send(t, newChannelNoGuild(t, f, nil), fullUpdate, broadcast.Thread{})
	r.URL = ""
	ch := newChannelNoGuild(t, f, nil) // another process's Channel: no guild known
	fixed := fullUpdate
	fixed.ID, fixed.Corrects, fixed.Body = "u_fixed", fullUpdate.ID, "The cause was a bad certificate."
	e, err := ch.Edit(context.Background(), broadcast.Message{Update: fixed, Thread: broadcast.Thread{Root: r, Last: r}}, r)
	require.NoError(t, err)
	assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+parentID+"/"+r.ID, e.URL)
}

// Sends made together ask for the guild once between them; a Send that
// did not ask, while another's question was under way, goes without a
// link rather than wait for it.
func TestGuildAskedOnceByConcurrentSends(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannelNoGuild(t, f, nil)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Contains(t, r.URL, "/"+guildID+"/")
	assert.Equal(t, 1, f.getsOfWebhook())
}

// The guild's question failing (Discord down meanwhile) fails no Send:
// the update is delivered, its Receipt without URL, and the Channel does
// not ask again (at most one request of its own per Channel); Check still
// learns the guild.
func TestGuildQuestionFailingFailsNoSend(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannelNoGuild(t, f, nil)
	f.answer(canned{skip: 1, status: 502, body: `{"message": "bad gateway"}`})
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.NotEmpty(t, r.ID)
	assert.Empty(t, r.URL)
	r, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Empty(t, r.URL)
	assert.Equal(t, 1, f.getsOfWebhook())
	require.NoError(t, ch.Check(context.Background()))
	r, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Contains(t, r.URL, "/"+guildID+"/")
}
