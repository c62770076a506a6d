package broadcast_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Two Broadcasters sharing a MemoryStore, each given its Lock, deliver an
// update both send at once exactly once per channel; before, the
// MemoryStore had no Lock, and both posted it.
func TestBroadcastersSharingAMemoryStoreDeliverOnce(t *testing.T) {
	store := broadcast.NewMemoryStore()
	var sent atomic.Int32
	ch := broadcast.ChannelFunc("x", func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
		sent.Add(1)
		select { // long enough for the other's attempt to start meanwhile
		case <-time.After(2 * time.Millisecond):
		case <-ctx.Done():
			return broadcast.Receipt{}, ctx.Err()
		}
		return broadcast.Receipt{ID: "x-1"}, nil
	})
	a := newBroadcaster(t, broadcast.Options{Store: store, Lock: store.Lock}, ch)
	b := newBroadcaster(t, broadcast.Options{Store: store, Lock: store.Lock}, ch)
	u := validUpdate()
	var wg sync.WaitGroup
	for range 10 {
		for _, bc := range []*broadcast.Broadcaster{a, b} {
			wg.Go(func() {
				_, err := bc.Send(context.Background(), u)
				assert.NoError(t, err)
			})
		}
	}
	wg.Wait()
	assert.Equal(t, int32(1), sent.Load())
}

// A Locks' Lock excludes holders of the same update, incident or post on a
// channel, not others; a waiter gives up when its context ends; unlock
// may be called twice. In a synctest bubble, a wait for a held key ends
// at its context's deadline on the bubble's clock, and one for a free key
// does not wait: the test tells the two apart without real time.
func TestLocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var l broadcast.Locks
		ctx := context.Background()
		unlock, err := l.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x", IncidentID: "i", Post: "p1"})
		require.NoError(t, err)
		tryLock := func(k broadcast.LockKey) error {
			short, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			u, err := l.Lock(short, k)
			if err == nil {
				u()
			}
			return err
		}
		for _, k := range []broadcast.LockKey{
			{UpdateID: "u1", Channel: "y", IncidentID: "i", Post: "p1"}, // another channel
			{UpdateID: "u2", Channel: "x"},                              // another update
			{UpdateID: "u2", Channel: "x", IncidentID: "j"},             // another incident
			{UpdateID: "u2", Channel: "x", Post: "p2"},                  // another post
		} {
			assert.NoError(t, tryLock(k), "free: %+v", k)
		}
		for _, k := range []broadcast.LockKey{
			{UpdateID: "u1", Channel: "x"},
			{UpdateID: "u2", Channel: "x", IncidentID: "i"},
			{UpdateID: "u3", Channel: "x", Post: "p1"},
		} {
			assert.ErrorIs(t, tryLock(k), context.DeadlineExceeded, "held: %+v", k)
		}
		done, cancel := context.WithCancel(ctx)
		cancel()
		_, err = l.Lock(done, broadcast.LockKey{UpdateID: "free", Channel: "x"})
		assert.ErrorIs(t, err, context.Canceled, "a context done already")
		got := make(chan struct{})
		go func() {
			defer close(got)
			u, err := l.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
			if assert.NoError(t, err) {
				u()
			}
		}()
		unlock()
		unlock()
		<-got
	})
}
