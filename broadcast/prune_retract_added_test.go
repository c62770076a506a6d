package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A channel added to the Broadcaster after the update's last Send never
// had it. A Retract after a Prune that removed the record of the update's
// first Send, while another channel kept a later Send's receipt, reported
// it failed for good, its records "may have been pruned"; it is Skipped,
// and the post of the channel that has one is deleted.
func TestRetractAfterPruneSkipsChannelAddedAfterTheSend(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	x := &deleter{script: script{name: "x"}}
	y := &deleter{script: script{name: "y", errs: []error{broadcast.Permanent(errFlaky)}}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, y)
	a := validUpdate()
	a.ID, a.IncidentID = "a", "inc"
	_, err := b.Send(ctx, a)
	require.Error(t, err) // y failed for good
	cutoff := time.Now()
	rep, err := b.Send(ctx, a) // y again
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err, "y")
	require.NoError(t, b.Close())
	_, err = store.Prune(ctx, cutoff)
	require.NoError(t, err)

	b = newBroadcaster(t, broadcast.Options{Store: store}, y, x) // x added
	rep, err = b.Retract(ctx, "a")
	require.NotNil(t, rep)
	assert.NoError(t, err)
	assert.True(t, rep.Results[1].Skipped, "x never had a")
	assert.NoError(t, rep.Results[1].Err, "x")
	assert.Len(t, y.retracts, 1, "y's post deleted")
	assert.Zero(t, x.count())
}
