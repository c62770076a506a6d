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
	u1, u2 := orderedUpdates()
	u2.Time = u1.Time
	crossedOnTargets(t, u1, u2, func(t *testing.T, b *broadcast.Broadcaster, ch *fanChannel, rep *broadcast.Report) {
		assert.Equal(t, []string{"u2"}, ch.posted("c"), "u1, sent first, is not posted after u2 on c")
		assert.Equal(t, []string{"c"}, rep.Results[0].SupersededTargets)

		rep, err := b.Send(context.Background(), u2)
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, rep.Results[0].Delivered, "u2, sent second, goes after u1 on a")
		assert.Equal(t, []string{"u1", "u2"}, ch.posted("a"))
	})
}
