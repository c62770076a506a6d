package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A delivery whose context ends while it waits for Options.Lock (held by
// another instance, or a database not answering) never called its
// channel: its Result counts no attempt and its error is ErrBusy, as for
// the other waits before the channel (for the incident's turn), so that
// it reads "failed without an attempt", not "failed after 1 attempt".
// A retry that waits so keeps the count, and the error, of the attempts
// made before it.
func TestLockWaitIsNoAttempt(t *testing.T) {
	var locks broadcast.Locks
	unlock, err := locks.Lock(context.Background(), broadcast.LockKey{UpdateID: "held", Channel: "x"})
	require.NoError(t, err)
	defer unlock()
	u := validUpdate()
	u.ID = "held"

	t.Run("first attempt", func(t *testing.T) {
		ch := &script{name: "x"}
		b := newBroadcaster(t, broadcast.Options{Lock: locks.Lock}, ch)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		rep, err := b.Send(ctx, u)
		require.Error(t, err)
		assert.ErrorIs(t, err, broadcast.ErrBusy)
		assert.ErrorContains(t, err, "failed without an attempt")
		assert.Zero(t, rep.Results[0].Attempts)
		var de *broadcast.DeliveryError
		require.ErrorAs(t, err, &de)
		assert.Zero(t, de.Attempts)
		assert.Zero(t, ch.count())

		jobs, err := b.Jobs(broadcast.JobSend, u, "")
		require.NoError(t, err)
		jctx, jcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer jcancel()
		res := b.RunJob(jctx, jobs[0], 1)
		assert.True(t, broadcast.NotTried(res.Err), "%v", res.Err)
		assert.Zero(t, res.Attempts)
	})
	t.Run("a retry", func(t *testing.T) {
		// The first attempt takes the lock of another update; the retry
		// waits for the held one. A Lock that hands out the held key's
		// lock only after the first call shows that.
		var calls atomic.Int32
		lock := func(ctx context.Context, k broadcast.LockKey) (func(), error) {
			if k.UpdateID == "held" && calls.Add(1) == 1 {
				k.UpdateID = "free"
			}
			return locks.Lock(ctx, k)
		}
		ch := &script{name: "x", errs: []error{errFlaky}}
		b := newBroadcaster(t, broadcast.Options{Lock: lock}, ch)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		rep, err := b.Send(ctx, u)
		require.Error(t, err)
		assert.Equal(t, 1, ch.count())
		assert.Equal(t, 1, rep.Results[0].Attempts)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, errFlaky, "the last attempt's error")
	})
}

// A Retract whose context ends while it waits for the attempt under way
// of its update's delivery (which it stopped, and whose post it then
// deletes) never called its channel: ErrBusy, no attempt, as other waits
// before the channel.
func TestRetractWaitForDeliveryIsNoAttempt(t *testing.T) {
	ch := &stalling{script: script{name: "x"}, in: make(chan struct{}), release: make(chan struct{})}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "slow"
	sent := make(chan error, 1)
	go func() { _, err := b.Send(context.Background(), u); sent <- err }()
	<-ch.in
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rep, err := b.Retract(ctx, "slow")
	close(ch.release)
	require.NoError(t, <-sent)
	require.Error(t, err)
	assert.True(t, errors.Is(err, broadcast.ErrBusy), "%v", err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Zero(t, rep.Results[0].Attempts)
}
