package discord

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/internal/ratelimit"
)

// A request to a route no answer placed in a bucket waits for every
// bucket used up; an answer that comes meanwhile, placing the route in a
// bucket it says is used up, holds the request until that bucket
// refills: it is looked at again after the wait, and the request
// reserved in the same step. Before, the request went when the holds it
// had waited for ended, into the bucket used up: a 429, which Discord
// counts toward the invalid request limit of the IP address (10,000 in 10
// minutes, then a ban:
// https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit).
func TestRouteWaitSeesBucketPlacedMeanwhile(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	b := newBuckets()
	// Another route's bucket is used up for 1s: a route not yet placed waits for it.
	b.note(nil, "DELETE /messages", h("X-RateLimit-Bucket", "b2", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "1"), nil, now)
	var waits []time.Duration
	sleep := func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		if len(waits) == 1 {
			// While the request waits, the answer to an earlier one to
			// its route places the route in bucket b1, used up for 5s.
			b.note(nil, "POST", h("X-RateLimit-Bucket", "b1", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "5"), nil, now)
		}
		now = now.Add(d)
		return nil
	}
	r, err := b.reserve(context.Background(), "POST", ratelimit.Clock{Now: func() time.Time { return now }, Sleep: sleep})
	require.NoError(t, err)
	r.Release()
	assert.Equal(t, []time.Duration{time.Second, 4 * time.Second}, waits, "the wait for every bucket, then for b1's refill")
}
