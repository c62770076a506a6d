package discord

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Send whose update is delivered does not wait for its link: when
// another request uses up the webhook's bucket just before the question
// for the guild reserves its request, the question is not asked (no wait
// for the bucket to refill, no request), and the Send returns with its
// Receipt unlinked; a call after the refill asks. Before, the question
// checked the bucket free, then reserved its request with a wait: the
// other request taking the bucket between the two made the delivered
// Send wait for the refill.
func TestGuildQuestionDoesNotWaitForABucketTakenMeanwhile(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannelNoGuild(t, f, nil)
	now := fullUpdate.Time
	ch.s.now = func() time.Time { return now }
	var waits []time.Duration
	ch.s.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d) // the refill, which the test controls: it never comes by sleeping
		return nil
	}
	var other broadcast.Receipt
	ch.s.beforeAsk = func() {
		ch.s.beforeAsk = nil
		f.mu.Lock()
		f.limits = usedUp("60")
		f.mu.Unlock()
		var err error
		other, err = ch.Send(context.Background(), broadcast.NewMessage(resolvedUpdate)) // takes the bucket, and uses it up
		require.NoError(t, err)
	}
	r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err, "delivered")
	assert.NotEmpty(t, r.ID)
	assert.Empty(t, waits, "the question waited for the bucket to refill")
	assert.Equal(t, 0, f.getsOfWebhook(), "asked while the bucket is used up")
	assert.Empty(t, r.URL)
	assert.Empty(t, other.URL)

	now = now.Add(60 * time.Second) // the bucket refills
	f.mu.Lock()
	f.limits = nil
	f.mu.Unlock()
	r, err = ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.NoError(t, err)
	assert.Empty(t, waits)
	assert.Equal(t, "https://discord.com/channels/"+guildID+"/"+r.Meta[metaChannel]+"/"+r.ID, r.URL, "asked after the refill")
	assert.Equal(t, 1, f.getsOfWebhook())
}
