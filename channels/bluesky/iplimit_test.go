package bluesky

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/ratelimit/ratelimittest"
)

// A PDS's RateLimit-* fields on a write's answer describe the tightest of
// the limits the write counted against, RateLimit-Policy naming it: when
// that is the IP address's (3000 requests in 5 minutes) and it is used
// up, a read waits for its reset too, as the PDS would refuse it with a
// 429. The account's write points used up (5000 in an hour) hold no read.
// Before, a write's fields were noted for the writes only, and the read
// went into the 429.
func TestUsedUpIPLimitOnAWriteHoldsReads(t *testing.T) {
	for _, tc := range []struct {
		policy, limit string
		wait          []time.Duration
	}{
		{policy: "3000;w=300", limit: "3000", wait: []time.Duration{4 * time.Minute}},
		{policy: "5000;w=3600", limit: "5000"},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			f := newFakePDS(t)
			f.set(func(f *fakePDS) {
				f.writeLimits = http.Header{"Date": {fixedNow.Format(http.TimeFormat)}, "Ratelimit-Limit": {tc.limit},
					"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {strconv.FormatInt(fixedNow.Add(4*time.Minute).Unix(), 10)},
					"Ratelimit-Policy": {tc.policy}}
			})
			ch := newTestChannel(t, f)
			c := ratelimittest.New(fixedNow, func() int { return len(f.received("com.atproto.server.getSession")) })
			ch.s.now, ch.s.sleep = c.Now, c.Sleep
			ctx := context.Background()

			_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
			require.NoError(t, err)
			require.Empty(t, c.Waits)

			require.NoError(t, ch.Check(ctx))
			assert.Equal(t, tc.wait, c.Waits)
			if tc.wait != nil {
				assert.Equal(t, []int{0}, c.Seen, "the read waited before it was made")
			}
			assert.Len(t, f.received("com.atproto.server.getSession"), 1)
		})
	}
}

// What a write's answer says is left of the IP address's limit is in
// requests, of which a post costs 1, not its 3 points: 2 left hold no
// post; none left holds it until the reset.
func TestIPLimitLeftOnAWriteCountsRequests(t *testing.T) {
	for _, tc := range []struct {
		remaining string
		wait      []time.Duration
	}{
		{remaining: "2"},
		{remaining: "0", wait: []time.Duration{4 * time.Minute}},
	} {
		t.Run(tc.remaining, func(t *testing.T) {
			f := newFakePDS(t)
			f.set(func(f *fakePDS) {
				f.writeLimits = http.Header{"Date": {fixedNow.Format(http.TimeFormat)}, "Ratelimit-Limit": {"3000"},
					"Ratelimit-Remaining": {tc.remaining}, "Ratelimit-Reset": {strconv.FormatInt(fixedNow.Add(4*time.Minute).Unix(), 10)},
					"Ratelimit-Policy": {ipPolicy}}
			})
			ch := newTestChannel(t, f)
			waits, _ := limitClock(ch, f)
			ctx := context.Background()

			_, err := ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusInvestigating)))
			require.NoError(t, err)
			_, err = ch.Send(ctx, broadcast.NewMessage(limitUpdate(broadcast.StatusIdentified)))
			require.NoError(t, err)
			assert.Equal(t, tc.wait, *waits)
			assert.Len(t, f.received("com.atproto.repo.createRecord"), 2)
		})
	}
}
