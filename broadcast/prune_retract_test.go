package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Retract after a Prune that removed an update's records on one
// channel (x, which posted it at its first Send, before the cutoff) and
// kept them on another (y, which a later Send reached) cannot find x's
// post: Prune keeps a receipt only while the delivery mark that makes a
// Send skip the channel is kept. It reported x Skipped, without an
// error, and x's post stayed up unseen; x now fails, saying its records
// were pruned, and y's post is deleted.
func TestRetractAfterPruneSaysPruned(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	x := &deleter{script: script{name: "x"}}
	y := &deleter{script: script{name: "y", errs: []error{broadcast.Permanent(errFlaky)}}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x, y)
	a := validUpdate()
	a.ID, a.IncidentID = "a", "inc"
	_, err := b.Send(ctx, a)
	require.Error(t, err) // y failed for good
	cutoff := time.Now()
	rep, err := b.Send(ctx, a) // y again
	require.NoError(t, err)
	require.True(t, rep.Results[0].Skipped)
	require.False(t, rep.Results[1].Skipped)
	_, err = store.Prune(ctx, cutoff)
	require.NoError(t, err)

	rep, err = b.Retract(ctx, "a")
	require.Error(t, err)
	require.NotNil(t, rep)
	assert.False(t, rep.Results[0].Skipped, "x")
	if assert.Error(t, rep.Results[0].Err, "x") {
		assert.Contains(t, rep.Results[0].Err.Error(), "Prune")
		assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))
	}
	assert.NoError(t, rep.Results[1].Err, "y")
	assert.Len(t, y.retracts, 1, "y's post deleted")
	assert.Empty(t, x.retracts, "nothing says where x's post is")
}

// A Retract of an update whose records Prune removed on every channel is
// refused as one no channel posted, and the refusal says that a Prune may
// have removed them: it said only to check the ID.
func TestRetractAfterPruneOfAllSaysPruned(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	x := &deleter{script: script{name: "x"}}
	b := newBroadcaster(t, broadcast.Options{Store: store}, x)
	a := validUpdate()
	a.ID, a.IncidentID = "a", "inc"
	_, err := b.Send(ctx, a)
	require.NoError(t, err)
	_, err = store.Prune(ctx, time.Now())
	require.NoError(t, err)
	_, err = b.Retract(ctx, "a")
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, `no channel posted update "a"; check the ID`)
	assert.ErrorContains(t, err, "Prune")
}
