package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Of two updates of an incident with the same Time, the one sent first is
// the older ("ties: the order of Sends"): sent again, it is not posted to
// a target of a fan-out channel that the other reached meanwhile, by this
// Broadcaster or by another sharing the Store.
func TestOlderOfEqualTimesIsNotPostedWhereTheNewerIs(t *testing.T) {
	for _, another := range []bool{false, true} {
		name := "same broadcaster"
		if another {
			name = "another broadcaster"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ch := newFanChannel()
			store := broadcast.NewMemoryStore()
			opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
			b := newBroadcaster(t, opts, ch)
			u1, u2 := orderedUpdates()
			u2.Time = u1.Time

			ch.setFail("c")
			_, err := b.Send(ctx, u1)
			require.Error(t, err)
			ch.setFail("a")
			_, err = b.Send(ctx, u2)
			require.Error(t, err)

			ch.setFail()
			if another {
				b = newBroadcaster(t, opts, ch)
			}
			rep, err := b.Send(ctx, u1)
			require.NoError(t, err)
			assert.Equal(t, []string{"u2"}, ch.posted("c"), "u1, sent first, is not posted after u2 on c")
			assert.Equal(t, []string{"c"}, rep.Results[0].SupersededTargets)

			rep, err = b.Send(ctx, u2)
			require.NoError(t, err)
			assert.Equal(t, []string{"a"}, rep.Results[0].Delivered, "u2, sent second, goes after u1 on a")
			assert.Equal(t, []string{"u1", "u2"}, ch.posted("a"))
		})
	}
}
