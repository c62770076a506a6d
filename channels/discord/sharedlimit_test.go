package discord

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A 429 of a limit of the resource (X-RateLimit-Scope: shared) comes with
// the route's bucket not used up (X-RateLimit-Remaining: 9) and its own
// wait in retry_after, longer than X-RateLimit-Reset-After, as in
// Discord's example
// (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit-example-exceeded-resource-rate-limit-response),
// which says to rely on retry_after (or Retry-After) to retry: the route
// is held for that wait, so that the next Send, another incident's, makes
// no request Discord would refuse the same way. Before, only the bucket's
// headers held it: the next Send was made at once, into another 429.
func TestSharedRateLimitHoldsTheRoute(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 429, header: map[string]string{"Retry-After": "1337", "X-RateLimit-Limit": "10",
		"X-RateLimit-Remaining": "9", "X-RateLimit-Reset-After": "64.57", "X-RateLimit-Bucket": "abcd1234",
		"X-RateLimit-Scope": "shared"},
		body: `{"message": "The resource is being rate limited.", "retry_after": 1336.57, "global": false}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok)
	assert.InDelta(t, 1336.57, d.Seconds(), 0.01)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	other := fullUpdate
	other.ID, other.IncidentID = "u_other", "db-latency"
	_, err = ch.Send(ctx, broadcast.NewMessage(other))
	require.Error(t, err)
	assert.Len(t, f.sent(), 1, "no request while the resource's limit holds")
	assert.False(t, broadcast.IsPermanent(err), "transient: %v", err)
	d, ok = broadcast.RetryDelay(err)
	require.True(t, ok, "a wait for the limit: %v", err)
	assert.Greater(t, d, 1300*time.Second)
}
