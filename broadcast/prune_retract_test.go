package broadcast_test

import (
	"context"
	"errors"
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

// A Store written by an earlier version, whose Prune removed an update's
// records channel by channel, holds y's receipt of update a and nothing of
// it on x, nor the record of its first Send: x's post, if any, cannot be
// found, and x fails for good, saying that a Prune may have removed its
// records, whatever its marks say (a later Send wrote them again). y's
// post is deleted.
func TestRetractAfterPruneByEarlierVersionSaysPruned(t *testing.T) {
	for _, xMarks := range []string{"none", "refused"} {
		t.Run(xMarks, func(t *testing.T) {
			ctx := context.Background()
			store := broadcast.NewMemoryStore()
			r := broadcast.Receipt{Channel: "y", ID: "y-1", UpdateID: "a", Time: time.Now()}
			require.NoError(t, store.SaveReceipt(ctx, "inc", "a", r))
			require.NoError(t, store.Mark(ctx, "a", "y", "", nil))
			if xMarks == "refused" {
				require.NoError(t, store.Mark(ctx, "a", "x", "", broadcast.Permanent(errFlaky)))
				require.NoError(t, store.Mark(ctx, "a", "x", "\x00attempted", errors.New("answered")))
			}
			x := &deleter{script: script{name: "x"}}
			y := &deleter{script: script{name: "y"}}
			b := newBroadcaster(t, broadcast.Options{Store: store}, x, y)

			rep, err := b.Retract(ctx, "a")
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
		})
	}
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
