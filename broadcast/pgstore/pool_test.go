//go:build integration

package pgstore_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A Broadcaster with more channels than the pool has connections: each
// channel's attempt holds a Lock, which keeps a connection, and then reads
// and writes its marks, which need another. With every connection held by
// a Lock, each holder waited for a connection none would give back, until
// its attempt timed out, and again on every retry: nothing was delivered.
func TestLocksLeaveAConnectionForTheStore(t *testing.T) {
	ctx := context.Background()
	s := migratedWithPool(t, 2)

	var channels []broadcast.Channel
	for i := range 4 {
		channels = append(channels, broadcast.ChannelFunc(fmt.Sprintf("ch%d", i),
			func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil }))
	}
	b, err := broadcast.New(channels, broadcast.Options{Store: s, Lock: s.Lock, AttemptTimeout: 5 * time.Second,
		Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	defer b.Close()
	rep, err := b.Send(ctx, broadcast.Update{ID: "u1", Title: "CDN", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	for _, r := range rep.Results {
		assert.NoError(t, r.Err, r.Channel)
	}
}

// A pool of one connection cannot hold a Lock and run the Store's calls
// of its holder: Lock says so at once instead of waiting for ever.
func TestLockOnAPoolOfOneConnectionIsAnError(t *testing.T) {
	s := migratedWithPool(t, 1)
	_, err := s.Lock(context.Background(), broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pool_max_conns")
}

// Two Stores on one pool (a service that opens one per Broadcaster, or
// per tenant) share its connections: the limit on Locks held is the
// pool's, not each Store's, or together they would hold every connection
// and their holders' own calls would wait for one for ever.
func TestLocksOfStoresSharingAPoolLeaveAConnection(t *testing.T) {
	ctx := context.Background()
	first := migratedWithPool(t, 2)
	second, err := pgstore.New(ctx, first.Pool())
	require.NoError(t, err)

	unlock, err := first.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err)
	defer unlock()
	wctx, cancel := context.WithTimeout(ctx, shortWait)
	other, err := second.Lock(wctx, broadcast.LockKey{UpdateID: "u2", Channel: "x"})
	cancel()
	if err == nil {
		defer other()
	}
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the pool's one Lock is held: the other Store's waits its turn")

	mctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	assert.NoError(t, first.Mark(mctx, "u1", "x", "", nil), "the holder's own call finds a connection")
}

// An unlock called twice (a deferred unlock after an explicit one) is the
// same as once, as a context's cancel is: it neither waits for ever nor
// gives back a second Lock's turn, which would let the Locks held take
// every connection and their holders' own calls wait for one for ever.
func TestUnlockTwiceIsOnce(t *testing.T) {
	ctx := context.Background()
	s := migratedWithPool(t, 3)

	first, err := s.Lock(pgstore.WithLockLost(ctx, func(error) {}), broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err)
	second, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u2", Channel: "x"})
	require.NoError(t, err)
	defer second()

	done := make(chan struct{})
	go func() {
		defer close(done)
		first()
		first()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("a second unlock waits for ever")
	}

	third, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u3", Channel: "x"})
	require.NoError(t, err, "the first Lock's turn is free again")
	defer third()
	wctx, cancel := context.WithTimeout(ctx, shortWait)
	fourth, err := s.Lock(wctx, broadcast.LockKey{UpdateID: "u4", Channel: "x"})
	cancel()
	if err == nil {
		defer fourth()
	}
	assert.ErrorIs(t, err, context.DeadlineExceeded, "two Locks held on a pool of three: a third waits its turn")
}

// migratedWithPool is a migrated Store of a new schema whose pool has
// conns connections at most.
func migratedWithPool(t *testing.T, conns int) *pgstore.Store {
	t.Helper()
	u, err := url.Parse(newSchema(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("pool_max_conns", fmt.Sprint(conns))
	u.RawQuery = q.Encode()
	return migratedOn(t, u.String())
}
