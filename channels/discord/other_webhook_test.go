package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A webhook edits and deletes only its own messages: Discord answers 404
// Unknown Message (10008) for one another webhook posted, as for one
// deleted. After Config.WebhookURL names another webhook (the old one
// deleted, say, as its token leaked), a retraction of an update posted
// through the old one does not count that answer as "deleted": the
// message is still up. A correction of it is posted anew.
func TestMessageOfAnotherWebhook(t *testing.T) {
	f := newFake(t, fakeOptions{})
	old := newChannel(t, f, nil)
	r := send(t, old, fullUpdate, broadcast.Thread{})
	r.UpdateID = fullUpdate.ID

	var calls atomic.Int32 // about messages
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			writeJSON(w, 200, `{"id": "1400000000000000001", "channel_id": "`+parentID+`", "webhook_id": "1234567890123456790"}`)
			return
		case r.Method == http.MethodGet && !strings.Contains(r.URL.Path, "/messages/"):
			// Get Webhook with Token: the guild that links the messages.
			writeJSON(w, 200, `{"id": "1234567890123456790", "type": 1, "channel_id": "`+parentID+`", "guild_id": "`+guildID+`"}`)
			return
		}
		calls.Add(1)
		writeJSON(w, 404, `{"message": "Unknown Message", "code": 10008}`)
	}))
	defer other.Close()
	const newID = "1234567890123456790"
	cfg := Config{Name: "ops-discord", HTTPClient: other.Client(),
		WebhookURL: redact.NewURL(other.URL + "/api/webhooks/" + newID + "/" + testToken)}
	ch, err := New(cfg)
	require.NoError(t, err)

	err = ch.Retract(context.Background(), r)
	require.Error(t, err, "the message is still up")
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "another webhook")
	assert.False(t, f.message(0).deleted)

	fix := fullUpdate
	fix.ID, fix.Corrects = "u_fix", fullUpdate.ID
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: r, Last: r}
	_, err = ch.Edit(context.Background(), m, r)
	assert.ErrorIs(t, err, broadcast.ErrNotEditable, "the Broadcaster posts the correction anew")

	// The first post's card cannot be brought up to date either.
	later := send(t, ch, resolvedUpdate, broadcast.Thread{Root: r, Last: r})
	assert.Equal(t, "skipped: the first post was made through another webhook", later.Meta[metaRootUpdate])
	assert.Equal(t, "1234567890123456790", later.Meta[metaWebhook])
	assert.Zero(t, calls.Load(), "no request about a message the webhook cannot act on")
}
