package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A question for the guild that failed for a while only (a 5xx: Discord
// unavailable meanwhile) is asked again by a later Send, once a while has
// passed: the Channel's Receipts link to their message after it, not
// never for the rest of the process's life. Before, one failed question
// was never asked again. Sends made meanwhile do not ask.
func TestGuildQuestionFailingForAWhileIsAskedAgain(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannelNoGuild(t, f, nil)
	now := fullUpdate.Time
	ch.s.now = func() time.Time { return now }
	f.answer(canned{skip: 1, status: 502, body: `{"message": "bad gateway"}`})
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Empty(t, r.URL)
	r, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Empty(t, r.URL, "not asked again at once")
	assert.Equal(t, 1, f.getsOfWebhook())

	now = now.Add(guildRetry)
	r, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+r.Meta[metaChannel]+"/"+r.ID, r.URL)
	assert.Equal(t, 2, f.getsOfWebhook())
}

// A question Discord refused for good (the webhook's token cannot read
// it: 401, 403, 404) is not asked again: at most one request of the
// Channel's own.
func TestGuildQuestionRefusedIsNotAskedAgain(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannelNoGuild(t, f, nil)
	now := fullUpdate.Time
	ch.s.now = func() time.Time { return now }
	f.answer(canned{skip: 1, status: 403, body: `{"message": "Missing Access", "code": 50001}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	now = now.Add(24 * time.Hour)
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Empty(t, r.URL)
	assert.Equal(t, 1, f.getsOfWebhook())
}

// A Send whose context ends while its question for the guild is under way
// (the update delivered) leaves the question to the next call: the
// failure was the call's, not Discord's. Before, the question counted as
// asked, and no Receipt of the Channel linked to its message.
func TestGuildQuestionCutByContextIsAskedAgain(t *testing.T) {
	const id = testID
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, 200, `{"id": "1400000000000000001", "channel_id": "`+parentID+`", "webhook_id": "`+id+`"}`)
		case http.MethodGet:
			if gets.Add(1) == 1 {
				cancel() // the caller's context ends while the question is under way
				<-r.Context().Done()
				return
			}
			writeJSON(w, 200, `{"id": "`+id+`", "type": 1, "channel_id": "`+parentID+`", "guild_id": "`+guildID+`"}`)
		}
	}))
	defer srv.Close()
	ch, err := New(Config{Name: "ops-discord", HTTPClient: srv.Client(),
		WebhookURL: redact.NewURL(srv.URL + "/api/webhooks/" + id + "/" + testToken)})
	require.NoError(t, err)
	r, err := ch.Send(ctx, broadcast.NewMessage(fullUpdate))
	require.NoError(t, err, "delivered")
	assert.Empty(t, r.URL)
	r, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+parentID+"/1400000000000000001", r.URL)
	assert.Equal(t, int32(2), gets.Load())
}
