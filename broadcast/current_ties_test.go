package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Of two updates of one Time, d sent first and b second, d is the older
// ("ties: the order of Sends"): a correction of d, or down d's chain,
// posted after b says an older status than b's, still up, and is not
// current; a correction of b is. Current compared Times alone, and took
// the corrections of d for current; once Retracts deleted b and the
// correction of b, d's chain is the newest thing up, and current again.
func TestMessageCurrentOfOlderOfEqualTimes(t *testing.T) {
	del, keep := &currentByID{name: "del"}, &currentByID{name: "keep"}
	b := newBroadcaster(t, broadcast.Options{}, deletingByID{del}, keep)
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).UTC()
	sendAll(t, b,
		updateAt("d", t0, broadcast.StatusInvestigating),
		updateAt("b", t0, broadcast.StatusResolved),
	)
	correctWith(t, b, "d", "c1")
	correctWith(t, b, "c1", "c2")
	correctWith(t, b, "b", "c3")
	for _, id := range []string{"b", "c3"} { // a Retract deletes its update's post only
		_, err := b.Retract(ctx, id)
		require.ErrorIs(t, err, broadcast.ErrNotSupported) // keep cannot delete
	}
	correctWith(t, b, "d", "c4")

	assert.Equal(t, []bool{false, false, true, true}, del.currentOf("c1", "c2", "c3", "c4"), "b deleted")
	assert.Equal(t, []bool{false, false, true, false}, keep.currentOf("c1", "c2", "c3", "c4"), "b still up")
}

// A chain of corrections of corrections of the older of two updates of
// one Time moved each correction's post a nanosecond further (see
// correctionTime), so that the chain looked newer than the newer update
// of that Time, b: a correction of b posted after it was not current,
// though b's chain says the newest status up.
func TestMessageCurrentOfNewerOfEqualTimesAfterLongChain(t *testing.T) {
	x := &currentByID{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	t0 := time.Now().Add(-time.Hour).UTC()
	sendAll(t, b,
		updateAt("d", t0, broadcast.StatusInvestigating),
		updateAt("b", t0, broadcast.StatusResolved),
	)
	correctWith(t, b, "d", "c1")
	correctWith(t, b, "c1", "c2")
	correctWith(t, b, "c1", "c3")
	correctWith(t, b, "b", "c4")
	assert.Equal(t, []bool{false, false, false, true}, x.currentOf("c1", "c2", "c3", "c4"))
}

// A Retract deletes its update's post only, not its corrections' (see
// Broadcaster.Retract): once b, the newer of two updates of one Time, is
// deleted, the correction of b still up says b's status, and a correction
// of d, the older, posted after it is not current. Current looked at
// Times and the thread's latest post alone, and took it for current.
func TestMessageCurrentWhileNewerCorrectionUp(t *testing.T) {
	del := &currentByID{name: "del"}
	b := newBroadcaster(t, broadcast.Options{}, deletingByID{del})
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).UTC()
	sendAll(t, b,
		updateAt("d", t0, broadcast.StatusInvestigating),
		updateAt("b", t0, broadcast.StatusResolved),
	)
	correctWith(t, b, "b", "c1")
	_, err := b.Retract(ctx, "b")
	require.NoError(t, err)
	correctWith(t, b, "d", "c2")
	_, err = b.Retract(ctx, "c1")
	require.NoError(t, err)
	correctWith(t, b, "d", "c3")
	assert.Equal(t, []bool{true, false, true}, del.currentOf("c1", "c2", "c3"))
}
