package broadcast_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Options.Lock that returns no unlock function (a lock with nothing to
// release) does not crash the process: Send and RunJob deliver.
func TestLockWithoutUnlock(t *testing.T) {
	var locks atomic.Int32
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Lock: func(context.Context, broadcast.LockKey) (func(), error) {
		locks.Add(1)
		return nil, nil
	}}, x)
	_, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	u := validUpdate()
	u.Status = broadcast.StatusResolved
	jobs, err := b.Jobs(broadcast.JobSend, u, "")
	require.NoError(t, err)
	require.NoError(t, b.RunJob(context.Background(), jobs[0], 1).Err)
	assert.Equal(t, 2, x.count())
	assert.Positive(t, locks.Load())
}

// Options.Lock is asked for the incident's turn on the channel for the
// attempts that post (a Send's, a Correct's), and not for a Retract's,
// which posts nothing: instances sharing the Lock then attempt an
// incident's updates on a channel one at a time. Before, only package
// dispatch asked for it (through a context value of pgstore's), so two
// instances calling Send could post an older update after a newer one.
func TestLockKeyNamesTheIncidentOfAttemptsThatPost(t *testing.T) {
	var mu sync.Mutex
	var keys []broadcast.LockKey
	b := newBroadcaster(t, broadcast.Options{Lock: func(_ context.Context, k broadcast.LockKey) (func(), error) {
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, k)
		return nil, nil
	}}, &editable{script: script{name: "x"}})
	u := validUpdate()
	u.ID, u.IncidentID, u.Time = "u1", "cdn-42", time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	_, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	c := u
	c.ID, c.Body = "u1-fix", "We are investigating elevated error rates on the CDN in Europe."
	_, err = b.Correct(context.Background(), "u1", c)
	require.NoError(t, err)
	_, err = b.Retract(context.Background(), "u1")
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []broadcast.LockKey{
		{UpdateID: "u1", Channel: "x", IncidentID: "cdn-42"},
		{UpdateID: "u1-fix", Channel: "x", IncidentID: "cdn-42", Post: "x-1"},
		{UpdateID: "u1", Channel: "x", Post: "x-1"}, // the Retract's
	} {
		assert.True(t, slices.Contains(keys, want), "%+v in %+v", want, keys)
	}
}

// Two instances sharing a Store and a Lock that honours LockKey.IncidentID
// (as pgstore's does): while one instance's attempt posts the incident's
// older update, the other's attempt of a newer one waits for it, and posts
// after it. Before, the newer one was posted first, and the older one
// after it, on top of the channel's thread.
func TestInstancesPostAnIncidentsUpdatesInOrder(t *testing.T) {
	store := broadcast.NewMemoryStore()
	lock := sharedLock()
	asked := make(chan struct{}, 1)
	opts := broadcast.Options{Store: store, Lock: func(ctx context.Context, k broadcast.LockKey) (func(), error) {
		if k.UpdateID == "newer" {
			asked <- struct{}{}
		}
		return lock(ctx, k)
	}}
	inOlder, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var posts []string
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Update.ID == "older" {
			close(inOlder)
			<-release
		}
		mu.Lock()
		defer mu.Unlock()
		posts = append(posts, m.Update.ID)
		return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
	})
	one, two := newBroadcaster(t, opts, ch), newBroadcaster(t, opts, ch)
	older, newer := validUpdate(), validUpdate()
	older.ID, older.IncidentID, older.Time = "older", "cdn-42", time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	newer.ID, newer.IncidentID, newer.Time = "newer", "cdn-42", older.Time.Add(time.Minute)
	newer.Status = broadcast.StatusIdentified

	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := one.Send(context.Background(), older)
		assert.NoError(t, err)
	})
	<-inOlder
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		_, err := two.Send(context.Background(), newer)
		assert.NoError(t, err)
	})
	<-asked
	select { // the newer one's attempt, if it does not wait, posts now
	case <-done:
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	wg.Wait()
	assert.Equal(t, []string{"older", "newer"}, posts)
}
