package bluesky

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Message built by hand, not by NewMessage, has an Update without ID
// or Time. Two different such updates must make two posts: their record
// keys, derived from Message.Key, must differ, as Key does once the
// Update has its default ID.
func TestSendMessageWithoutIDPostsEachUpdate(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	first := broadcast.Update{Title: "API errors", Status: broadcast.StatusInvestigating, Body: "We are looking into it."}
	second := broadcast.Update{Title: "API errors", Status: broadcast.StatusResolved, Body: "Fixed."}

	r1, err := ch.Send(context.Background(), broadcast.Message{Update: first, Attempt: 1})
	require.NoError(t, err)
	r2, err := ch.Send(context.Background(), broadcast.Message{Update: second, Attempt: 1})
	require.NoError(t, err)

	got := f.Received()
	require.Len(t, got, 2, "each update is posted")
	assert.NotEqual(t, r1.ID, r2.ID, "the second update's receipt names its own post")
	assert.Contains(t, got[1].Text, "Fixed.")
}

// A retry of such a Message after a lost answer finds the post of the
// first attempt: the record key does not take the time of the attempt.
func TestSendMessageWithoutIDRetryPostsOnce(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	now := fixedNow
	ch.s.now = func() time.Time { return now }
	m := broadcast.Message{Update: broadcast.Update{Title: "API errors", Status: broadcast.StatusInvestigating,
		Body: "We are looking into it."}, Attempt: 1}
	f.set(func(f *fakePDS) { f.loseNext = true })
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)

	now = now.Add(90 * time.Second)
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, f.Received(), 1, "one post")
}
