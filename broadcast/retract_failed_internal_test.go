package broadcast

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forbidFailing is a Store that cannot write the mark keeping update
// from being posted on a channel (a Mark of it as failed): the write a
// Retract makes before it deletes.
type forbidFailing struct {
	*MemoryStore
	update string
}

var errStoreDown = errors.New("store down")

func (s forbidFailing) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if updateID == s.update && target == "" && failure != nil {
		return errStoreDown
	}
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

// A Retract whose attempts fail for a reason other than its context (here
// the Store, which cannot write the mark keeping the update from being
// posted) retracted nothing until one of them goes ahead: the delivery it
// stopped does not fail as "retracted before this channel posted it" while
// the Retract fails for good, nothing in the Store keeps a later Send from
// posting the update and RetractedOn names no channel. Whichever comes
// first, the two agree: the delivery posts between the Retract's attempts
// and a later attempt deletes the post, or the Retract gives up and the
// delivery posts.
func TestRetractFailingForGoodStopsNothing(t *testing.T) {
	ch := &stallFirst{in: make(chan struct{}), release: make(chan struct{})}
	store := forbidFailing{NewMemoryStore(), "u"}
	b, err := New([]Channel{ch}, Options{Store: store, Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: 1, MaxInterval: 1}})
	require.NoError(t, err)
	defer b.Close()
	sent, retracted := sendThenRetract(context.Background(), b, ch)
	sendErr, retractErr := <-sent, <-retracted
	on, err := b.RetractedOn(context.Background(), "u")
	require.NoError(t, err)
	if retractErr == nil {
		assert.Equal(t, []string{"x"}, on)
		return
	}
	assert.ErrorIs(t, retractErr, errStoreDown)
	assert.NoError(t, sendErr, "nothing was retracted")
	assert.Empty(t, on)
}

// So does a Retract whose attempts fail taking Options.Lock (its back end
// down), once it stopped its update's deliveries in this Broadcaster: the
// delivery goes on and posts, rather than fail as "retracted before this
// channel posted it" while the Retract fails for good.
func TestRetractFailingOnOptionsLockStopsNothing(t *testing.T) {
	ch := &stallFirst{in: make(chan struct{}), release: make(chan struct{})}
	var locks Locks
	errLockDown := errors.New("lock service down")
	lock := func(ctx context.Context, k LockKey) (func(), error) {
		if k.UpdateID == "u" && k.IncidentID == "" { // the Retract's
			return nil, errLockDown
		}
		return locks.Lock(ctx, k)
	}
	b, err := New([]Channel{ch}, Options{Lock: lock, Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: 1, MaxInterval: 1}})
	require.NoError(t, err)
	defer b.Close()
	sent, retracted := sendThenRetract(context.Background(), b, ch)
	sendErr, retractErr := <-sent, <-retracted
	require.ErrorIs(t, retractErr, errLockDown)
	assert.NoError(t, sendErr, "nothing was retracted")
	on, err := b.RetractedOn(context.Background(), "u")
	require.NoError(t, err)
	assert.Empty(t, on)
}

// forbidFailingOnce is forbidFailing for the first such write only.
type forbidFailingOnce struct {
	*MemoryStore
	update string
	failed atomic.Bool
}

func (s *forbidFailingOnce) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if updateID == s.update && target == "" && failure != nil && !s.failed.Swap(true) {
		return errStoreDown
	}
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

// deleting is stallFirst that counts the posts it makes and deletes.
type deleting struct {
	stallFirst
	posts, deletes atomic.Int32
}

func (d *deleting) Send(ctx context.Context, m Message) (Receipt, error) {
	r, err := d.stallFirst.Send(ctx, m)
	if err == nil {
		d.posts.Add(1)
	}
	return r, err
}

func (d *deleting) Retract(context.Context, Receipt) error {
	d.deletes.Add(1)
	return nil
}

// A Retract whose first attempt the Store fails, and whose next one goes
// ahead, leaves nothing up: the delivery it stopped either posts between
// its attempts, and the next attempt deletes the post, or stops as
// retracted; either way the Retract succeeds and RetractedOn names the
// channel.
func TestRetractGoingAheadAfterAFailedAttempt(t *testing.T) {
	ch := &deleting{stallFirst: stallFirst{in: make(chan struct{}), release: make(chan struct{})}}
	store := &forbidFailingOnce{MemoryStore: NewMemoryStore(), update: "u"}
	b, err := New([]Channel{ch}, Options{Store: store, Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: 1, MaxInterval: 1}})
	require.NoError(t, err)
	defer b.Close()
	sent, retracted := sendThenRetract(context.Background(), b, &ch.stallFirst)
	sendErr, retractErr := <-sent, <-retracted
	require.NoError(t, retractErr)
	on, err := b.RetractedOn(context.Background(), "u")
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, on)
	if sendErr != nil {
		assert.ErrorIs(t, sendErr, ErrRetracted)
		assert.Zero(t, ch.posts.Load())
	}
	assert.Equal(t, ch.posts.Load(), ch.deletes.Load(), "every post deleted")
}
