package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// noSentRecord is a Store that cannot write the record of the Time an
// update was first sent with while down is set, nor read it while
// unreadable is.
type noSentRecord struct {
	*broadcast.MemoryStore
	down, unreadable atomic.Bool
}

func (s *noSentRecord) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	if sentRecord(channel) && s.unreadable.Load() {
		return broadcast.Receipt{}, false, errors.New("store read timed out")
	}
	return s.MemoryStore.Receipt(ctx, updateID, channel)
}

func (s *noSentRecord) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if sentRecord(r.Channel) && s.down.Load() {
		return errors.New("store write timed out")
	}
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

// An update whose first Send could not record its Time, and reached no
// channel, keeps that Time when sent again without one: it is no newer
// than the updates of its incident sent in between, and is not posted
// after them. Before, the resend found no record and took the Time of
// the resend: "investigating" was posted after "resolved".
func TestResendKeepsATimeTheStoreCouldNotRecord(t *testing.T) {
	store := &noSentRecord{MemoryStore: broadcast.NewMemoryStore()}
	var mu sync.Mutex
	var posted []broadcast.Status
	var failing atomic.Bool
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if failing.Load() {
			return broadcast.Receipt{}, errors.New("connection refused")
		}
		mu.Lock()
		defer mu.Unlock()
		posted = append(posted, m.Update.Status)
		return broadcast.Receipt{ID: string(m.Update.Status)}, nil
	})
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	ctx := context.Background()

	first := validUpdate()
	first.ID = "u-1"
	store.down.Store(true)
	failing.Store(true)
	_, err := b.Send(ctx, first)
	require.Error(t, err, "reached nobody")
	sent, ok, err := b.SentTime(ctx, "u-1")
	require.NoError(t, err)
	require.True(t, ok, "this Broadcaster remembers the Time it could not record")

	store.down.Store(false)
	failing.Store(false)
	resolved := validUpdate()
	resolved.ID, resolved.Status = "u-2", broadcast.StatusResolved
	_, err = b.Send(ctx, resolved)
	require.NoError(t, err)

	rep, err := b.Send(ctx, first) // sent again, without a Time
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "%+v", rep.Results[0])
	assert.Equal(t, []broadcast.Status{broadcast.StatusResolved}, posted)

	// The resend recorded it, for other instances and after a restart.
	other := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	again, ok, err := other.SentTime(ctx, "u-1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, sent.Equal(again), "%v, recorded %v", sent, again)
}

// A record that could not be read is not written over: it holds the Time
// the update was first sent with, which a resend keeps. Before, a Send
// that could read no record wrote its own Time in its place.
func TestUnreadableSentRecordIsNotOverwritten(t *testing.T) {
	store := &noSentRecord{MemoryStore: broadcast.NewMemoryStore()}
	var failing atomic.Bool
	failing.Store(true)
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if failing.Load() {
			return broadcast.Receipt{}, errors.New("connection refused")
		}
		return broadcast.Receipt{ID: string(m.Update.Status)}, nil
	})
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	ctx := context.Background()
	u := validUpdate()
	u.ID = "u-1"
	_, err := b.Send(ctx, u)
	require.Error(t, err)
	first, ok, err := b.SentTime(ctx, "u-1")
	require.NoError(t, err)
	require.True(t, ok)

	store.unreadable.Store(true)
	_, err = b.Send(ctx, u)
	require.Error(t, err)
	store.unreadable.Store(false)

	other := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	again, ok, err := other.SentTime(ctx, "u-1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, first.Equal(again), "first sent %v, recorded now %v", first, again)
}
