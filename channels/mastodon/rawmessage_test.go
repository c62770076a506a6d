package mastodon

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Message built by hand, not by NewMessage, has an Update without ID.
// Two different such updates must make two statuses: their
// Idempotency-Keys, Message.Key(""), must differ, as Key does once the
// Update has its default ID. Before, both went out under the key of the
// empty ID, and the instance answered the second with the first status:
// the second update was never posted, yet reported delivered.
func TestSendMessageWithoutIDPostsEachUpdate(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	first := broadcast.Update{Title: "API errors", Status: broadcast.StatusInvestigating, Body: "We are looking into it."}
	second := broadcast.Update{Title: "API errors", Status: broadcast.StatusResolved, Body: "Fixed."}

	r1, err := ch.Send(context.Background(), broadcast.Message{Update: first, Attempt: 1})
	require.NoError(t, err)
	r2, err := ch.Send(context.Background(), broadcast.Message{Update: second, Attempt: 1})
	require.NoError(t, err)

	assert.Equal(t, 2, f.statusCount(), "each update is posted")
	assert.NotEqual(t, r1.ID, r2.ID, "the second update's receipt names its own status")
	posts := f.received(http.MethodPost, "/api/v1/statuses")
	require.Len(t, posts, 2)
	assert.NotEqual(t, posts[0].Header.Get("Idempotency-Key"), posts[1].Header.Get("Idempotency-Key"))
}

// A retry of such a Message after a lost answer still goes out under the
// key of its first attempt, and posts once.
func TestSendMessageWithoutIDRetryPostsOnce(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	m := broadcast.Message{Update: broadcast.Update{Title: "API errors", Status: broadcast.StatusInvestigating,
		Body: "We are looking into it."}, Attempt: 1}
	f.set(func(f *fakeMastodon) { f.loseNext = true })
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)

	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, 1, f.statusCount(), "one status")
}
