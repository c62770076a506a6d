package discord

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Check, which keeps the webhook's guild, runs while Sends read it, and
// ask for it themselves: the guild is kept and read without a data race
// (this test runs under -race), and every Receipt made after Check has
// its URL.
func TestCheckConcurrentWithSend(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannelNoGuild(t, f, nil)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			assert.NoError(t, ch.Check(context.Background()))
		}()
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
}

// A hostile or broken 429 naming a wait of years holds the route no
// longer than a bucket's longest hold (maxBucketWait), and the error of a
// request it holds back names that wait, not years.
func TestHugeRetryAfterHoldIsBounded(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 429, header: map[string]string{"X-RateLimit-Scope": "user"},
		body: `{"message": "You are being rate limited.", "retry_after": 1e15, "global": false}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = ch.Send(ctx, broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.Len(t, f.sent(), 1, "held back")
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "a wait: %v", err)
	assert.LessOrEqual(t, d, maxBucketWait)
	assert.Contains(t, err.Error(), "rate limit")
}
