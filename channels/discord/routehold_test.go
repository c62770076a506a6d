package discord

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// setLimits sets the rate limit headers of the fake's later answers.
func (f *fakeDiscord) setLimits(h map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = h
}

// A 429 of a route holds that route's bucket for retry_after, and only
// it: Discord's rate limits are per route (and its major parameter), and
// a route an answer placed in another bucket
// (https://discord.com/developers/docs/topics/rate-limits#rate-limits)
// is not held. Here the post's route is limited; an edit, whose route an
// answer placed in a bucket of its own, goes at once, and a post is held.
func TestRouteLimitHoldsOnlyItsRoute(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	var waits []time.Duration
	ch.s.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	f.setLimits(map[string]string{"X-RateLimit-Bucket": "post-bucket", "X-RateLimit-Limit": "5",
		"X-RateLimit-Remaining": "4", "X-RateLimit-Reset-After": "2"})
	r := send(t, ch, fullUpdate, broadcast.Thread{})
	f.setLimits(map[string]string{"X-RateLimit-Bucket": "edit-bucket", "X-RateLimit-Limit": "5",
		"X-RateLimit-Remaining": "4", "X-RateLimit-Reset-After": "2"})
	fix := fullUpdate
	fix.ID, fix.Corrects, fix.Body = "u_fix", fullUpdate.ID, "The cause was a bad certificate."
	_, err := ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
	require.NoError(t, err)

	f.answer(canned{status: 429, header: map[string]string{"X-RateLimit-Bucket": "post-bucket", "X-RateLimit-Limit": "5",
		"X-RateLimit-Remaining": "3", "X-RateLimit-Reset-After": "1", "X-RateLimit-Scope": "user"},
		body: `{"message": "You are being rate limited.", "retry_after": 600, "global": false}`})
	_, err = ch.Send(context.Background(), broadcast.NewMessage(resolvedUpdate))
	require.Error(t, err)
	sent := len(f.sent())

	fix.ID, fix.Body = "u_fix2", "The cause was an expired certificate."
	_, err = ch.Edit(context.Background(), broadcast.NewMessage(fix), r)
	require.NoError(t, err, "the edit's route is not held")
	assert.Empty(t, waits, "the edit waited for no limit")
	require.Len(t, f.sent(), sent+1)
	assert.Equal(t, http.MethodPatch, f.sent()[sent].method)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = ch.Send(ctx, broadcast.NewMessage(resolvedUpdate))
	require.Error(t, err, "the post's route is held")
	assert.Len(t, f.sent(), sent+1, "no post while its route is held")
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "a wait: %v", err)
	assert.Greater(t, d, 500*time.Second)
}
