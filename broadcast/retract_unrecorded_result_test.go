package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// receiptsFailOn is a MemoryStore that cannot save the receipts of one
// channel.
type receiptsFailOn struct {
	*broadcast.MemoryStore
	channel string
}

func (s receiptsFailOn) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if r.Channel == s.channel {
		return errors.New("disk full")
	}
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

// A Retract on a channel that delivered the update without its receipt
// recorded deletes nothing: its post cannot be found. Its Result, whose
// error wraps ErrNotRecorded, is not Unrecorded, which says the platform
// has what was asked: before, it was, and a queue (package dispatch)
// reported the JobRetract delivered, the post still up.
func TestRetractThatFoundNoPostIsNotUnrecorded(t *testing.T) {
	a := &editable{script: script{name: "a"}}
	bch := &editable{script: script{name: "b"}}
	b := newBroadcaster(t, broadcast.Options{Store: receiptsFailOn{broadcast.NewMemoryStore(), "b"}}, a, bch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	require.True(t, rep.Results[1].Unrecorded(), "the Send's: b has the update")

	ret, err := b.Retract(context.Background(), rep.UpdateID)
	require.Error(t, err)
	require.NoError(t, ret.Results[0].Err)
	res := ret.Results[1]
	require.ErrorIs(t, res.Err, broadcast.ErrNotRecorded)
	assert.ErrorContains(t, res.Err, "its post cannot be found to delete")
	assert.False(t, res.Unrecorded(), "nothing was deleted on b")

	jobs, err := b.Jobs(broadcast.JobRetract, broadcast.Update{}, rep.UpdateID)
	require.NoError(t, err)
	res = b.RunJob(context.Background(), jobs[1], 1)
	require.ErrorIs(t, res.Err, broadcast.ErrNotRecorded)
	assert.False(t, res.Unrecorded(), "nothing was deleted on b")
}
