package broadcast_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// waitingLock returns an Options.Lock shared by Broadcasters standing for
// instances on one Store, as pgstore's is: unlike sharedLock, a caller
// waiting for it gives up when its ctx ends, as pgstore's Lock does.
func waitingLock() func(ctx context.Context, key broadcast.LockKey) (func(), error) {
	locks := make(chan map[string]chan struct{}, 1)
	locks <- map[string]chan struct{}{}
	lock := func(ctx context.Context, k string) (func(), error) {
		m := <-locks
		l, ok := m[k]
		if !ok {
			l = make(chan struct{}, 1)
			m[k] = l
		}
		locks <- m
		select {
		case l <- struct{}{}:
			return func() { <-l }, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The incident's lock (when the key names one) first, then the
	// post's (when it names one), then the update's, as
	// pgstore's Lock.
	return func(ctx context.Context, key broadcast.LockKey) (func(), error) {
		incident := func() {}
		if key.IncidentID != "" {
			var err error
			if incident, err = lock(ctx, "incident\x00"+key.IncidentID+"\x00"+key.Channel); err != nil {
				return nil, err
			}
		}
		post := func() {}
		if key.Post != "" {
			var err error
			if post, err = lock(ctx, "post\x00"+key.Post+"\x00"+key.Channel); err != nil {
				incident()
				return nil, err
			}
		}
		update, err := lock(ctx, "update\x00"+key.UpdateID+"\x00"+key.Channel)
		if err != nil {
			post()
			incident()
			return nil, err
		}
		return func() { update(); post(); incident() }, nil
	}
}

// Two instances sharing a Store and Options.Lock: a Retract on one while
// the other's attempt is posting the update waits for that attempt, and
// deletes what it posted. (Before, it marked the update retracted on the
// channel at once, the attempt then marked it delivered over that, and its
// post stayed up.)
func TestRetractOnAnotherInstanceDeletesThePostOfAnAttemptUnderWay(t *testing.T) {
	store, lock := broadcast.NewMemoryStore(), waitingLock()
	slack := &editable{script: script{name: "slack"}}
	x := &blocking{editable: editable{script: script{name: "x"}}, started: make(chan struct{}), release: make(chan struct{})}
	a := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock}, slack, x)
	b := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock}, slack, x)
	u := validUpdate()
	u.ID = "wrong-instances"

	done := sendInBackground(t, a, u)
	<-x.started
	require.Eventually(t, func() bool { return slack.count() == 1 }, 10*time.Second, time.Millisecond)
	retracted := make(chan *broadcast.Report, 1)
	go func() {
		ret, err := b.Retract(context.Background(), u.ID)
		assert.NoError(t, err)
		retracted <- ret
	}()
	// Give Retract the time to reach x before the attempt ends. It does not
	// decide whether the test passes: a Retract that started late finds
	// the post all the same.
	time.Sleep(50 * time.Millisecond)
	close(x.release)
	rep := <-done
	require.NoError(t, rep.Results[1].Err, "the attempt under way delivered")
	ret := <-retracted
	require.NoError(t, ret.Results[1].Err)
	assert.Len(t, x.retracts, 1, "the post of the attempt under way was deleted")
	assert.Len(t, slack.retracts, 1)
}

// The lock is held for an attempt, not across the wait before the next
// one: another instance's Retract does not wait for a retry an hour away,
// and that retry then posts nothing.
func TestRetractOnAnotherInstanceDoesNotWaitForARetry(t *testing.T) {
	store, lock := broadcast.NewMemoryStore(), waitingLock()
	slack := &editable{script: script{name: "slack"}}
	x := &rateLimited{editable: editable{script: script{name: "x"}}, waiting: make(chan struct{})}
	opts := broadcast.Options{Store: store, Lock: lock, Retry: broadcast.RetryPolicy{MaxElapsed: 2 * time.Hour}}
	a := newBroadcaster(t, opts, slack, x)
	b := newBroadcaster(t, opts, slack, x)
	u := validUpdate()
	u.ID = "wrong-retry"

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *broadcast.Report, 1)
	go func() {
		rep, _ := a.Send(ctx, u)
		done <- rep
	}()
	<-x.waiting
	require.Eventually(t, func() bool { return slack.count() == 1 }, 10*time.Second, time.Millisecond)

	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	ret, err := b.Retract(rctx, u.ID)
	require.NoError(t, err, "the Retract waited for the lock the retry held through its wait")
	assert.True(t, ret.Results[1].Skipped, "x never posted it")
	assert.Len(t, slack.retracts, 1)

	cancel() // the retry would wait an hour
	<-done
	rep, err := a.Send(context.Background(), u)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(rep.Results[1].Err), "the retracted update fails for good on x: %v", rep.Results[1].Err)
	assert.Zero(t, x.count(), "the retracted update was posted after the retraction")
}

// With Options.Lock, a Retract on the instance whose Send waits to retry
// the update stops that retry, as without the lock. (The retraction took
// the update's lock and then waited for the delivery to end, while the
// delivery, woken by it, waited for that lock: both waited until the
// Retract's ctx ended.)
func TestRetractWithLockStopsARetryOfTheSameInstance(t *testing.T) {
	slack := &editable{script: script{name: "slack"}}
	x := &rateLimited{editable: editable{script: script{name: "x"}}, waiting: make(chan struct{})}
	opts := broadcast.Options{Lock: waitingLock(), Retry: broadcast.RetryPolicy{MaxElapsed: 2 * time.Hour}}
	b := newBroadcaster(t, opts, slack, x)
	u := validUpdate()
	u.ID = "wrong-same-instance"

	done := sendInBackground(t, b, u)
	<-x.waiting
	require.Eventually(t, func() bool { return slack.count() == 1 }, 10*time.Second, time.Millisecond)

	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	ret, err := b.Retract(rctx, u.ID)
	require.NoError(t, err, "the Retract and the retry it stopped waited for each other")
	assert.True(t, ret.Results[1].Skipped, "x never posted it")
	assert.Len(t, slack.retracts, 1)
	rep := <-done
	assert.True(t, broadcast.IsPermanent(rep.Results[1].Err), "the retracted update fails for good on x: %v", rep.Results[1].Err)
	assert.Zero(t, x.count(), "the retracted update was posted after the retraction")
}

// An attempt under way on another instance counts as a post that may
// exist: a Retract made before any channel finished posting the update is
// not refused as a mistyped ID, and deletes what the attempt posted.
// (Before, only this instance's own attempts counted: the other instance's
// Retract said no channel posted the update, and its post stayed up.)
func TestRetractOnAnotherInstanceBeforeAnyChannelFinished(t *testing.T) {
	store, lock := broadcast.NewMemoryStore(), waitingLock()
	x := &blocking{editable: editable{script: script{name: "x"}}, started: make(chan struct{}), release: make(chan struct{})}
	a := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock}, x)
	b := newBroadcaster(t, broadcast.Options{Store: store, Lock: lock}, x)
	u := validUpdate()
	u.ID = "early-retract"
	var release sync.Once
	free := func() { release.Do(func() { close(x.release) }) }
	t.Cleanup(free) // before the Broadcasters' Close, should the test stop early

	done := sendInBackground(t, a, u)
	<-x.started
	require.NoError(t, b.CheckOriginal(context.Background(), broadcast.JobRetract, broadcast.Update{}, u.ID),
		"the attempt under way on the other instance may post the update")
	retracted := make(chan *broadcast.Report, 1)
	go func() {
		ret, err := b.Retract(context.Background(), u.ID)
		assert.NoError(t, err)
		retracted <- ret
	}()
	time.Sleep(50 * time.Millisecond) // as above: it does not decide the outcome
	free()
	rep := <-done
	require.NoError(t, rep.Results[0].Err)
	ret := <-retracted
	require.NotNil(t, ret)
	require.NoError(t, ret.Results[0].Err)
	assert.Len(t, x.retracts, 1, "the post of the attempt under way was deleted")
}

// An update whose attempts all timed out may have been posted: Retract of
// it is no mistyped ID, and is not refused as one; nor is the channel
// Skipped, as one that never posted it: its error says the post, if any,
// could not be found.
func TestRetractOfAnUpdateWithUnknownOutcomeIsNotRefused(t *testing.T) {
	x := &editable{script: script{name: "x", errs: []error{context.DeadlineExceeded}}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, x)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	ret, err := b.Retract(context.Background(), rep.UpdateID)
	assert.NotErrorIs(t, err, broadcast.ErrInvalidUpdate)
	require.NotNil(t, ret)
	assert.False(t, ret.Results[0].Skipped)
	assert.ErrorContains(t, ret.Results[0].Err, "outcome unknown")
	assert.Empty(t, x.retracts, "no receipt: nothing to delete")
}
