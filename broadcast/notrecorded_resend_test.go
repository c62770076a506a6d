package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// writeFailsOnce is a Store whose first Mark that mark matches, and whose
// first SaveReceipt that receipt matches, fail (a full disk), each once; a
// nil function matches no write.
type writeFailsOnce struct {
	*broadcast.MemoryStore
	mark                   func(updateID, channel, target string, failure error) bool
	receipt                func(incidentID, updateID string) bool
	markFailed, saveFailed atomic.Bool
}

func (s *writeFailsOnce) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if s.mark != nil && s.mark(updateID, channel, target, failure) && s.markFailed.CompareAndSwap(false, true) {
		return errors.New("disk full")
	}
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

func (s *writeFailsOnce) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if s.receipt != nil && s.receipt(incidentID, updateID) && s.saveFailed.CompareAndSwap(false, true) {
		return errors.New("disk full")
	}
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

// markFailsOnce is a Store whose first write of a channel's delivered mark
// fails (a full disk).
func markFailsOnce() *writeFailsOnce {
	return &writeFailsOnce{MemoryStore: broadcast.NewMemoryStore(),
		mark: func(_, _, target string, failure error) bool { return target == "" && failure == nil }}
}

// A delivery whose mark was lost but whose receipt the Store saved is not
// posted again by a later Send: the caller who reads ErrNotRecorded and
// runs the announcement again (the Store is back) must not post a
// duplicate. The receipt, the incident's latest post on the channel, says
// the update was delivered; the Send is Skipped there and writes the mark.
func TestSendAgainAfterALostMarkDoesNotRepost(t *testing.T) {
	x := &script{name: "x"}
	st := markFailsOnce()
	b := newBroadcaster(t, broadcast.Options{Store: st}, x)
	rep, err := b.Send(context.Background(), validUpdate())
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	posted := rep.Results[0].Receipt

	rep, err = b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.Equal(t, 1, x.count(), "the update was posted twice")
	assert.True(t, rep.Results[0].Skipped)
	assert.Equal(t, posted.ID, rep.Results[0].Receipt.ID, "the Result names the post")
	done, failure, err := st.Done(context.Background(), rep.UpdateID, "x", "")
	require.NoError(t, err)
	assert.True(t, done && failure == "", "the lost mark is written")
}
