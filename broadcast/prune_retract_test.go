package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Prune whose cutoff lies between two Sends of an update, x posting it
// at the first and y at the second, removed x's receipt and marks and
// kept y's: a Retract could not find x's post, and said its records were
// pruned. A Prune keeps an update's records on every channel while it
// keeps any of them: x's post is found and deleted, and so is y's.
func TestRetractAfterPruneFindsPostOfEarlierSend(t *testing.T) {
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
	require.NoError(t, err)
	require.NotNil(t, rep)
	assert.NoError(t, rep.Results[0].Err, "x")
	assert.Len(t, x.retracts, 1, "x's post deleted")
	assert.Len(t, y.retracts, 1, "y's post deleted")
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
