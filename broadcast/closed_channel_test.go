package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// errHooksClosed is a channel's ErrClosed, as an adapter makes it.
var errHooksClosed = broadcast.ClosedError("hooks: channel closed")

// closingHooks is a channel with endpoints whose Close, called during a
// Send, ends the requests to those in cut: they fail with its closed
// error, Permanent, as every adapter's do. Without targets, it is a
// channel of one endpoint, whose Send fails so as a whole.
type closingHooks struct {
	targets []string

	postLog // its mu guards the fields below too
	cut     map[string]bool
	shut    bool // every call fails with the closed error
}

func (c *closingHooks) Name() string { return "hooks" }

func (c *closingHooks) reopen() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut, c.shut = nil, false
}

func (c *closingHooks) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.targets == nil {
		c.posts = append(c.posts, m.Update.ID)
		if c.shut {
			return broadcast.Receipt{}, broadcast.Permanent(errHooksClosed)
		}
		return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
	}
	f := broadcast.NewFanout(m, c.targets)
	for _, i := range f.Todo() {
		t := c.targets[i]
		c.posts = append(c.posts, m.Update.ID+">"+t)
		if c.cut[t] || c.shut {
			f.Report(i, broadcast.Permanent(errHooksClosed))
			continue
		}
		f.Report(i, nil)
	}
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, f.Err()
}

// A target whose request the channel's Close ended is pending, not
// refused: the Store does not mark it failed, the Send (which reached
// another target) fails, transiently for a RunJob caller, without a retry
// against the closed channel, and a later Send, the channel open again
// (another Broadcaster on the same Store: a restart), delivers it once,
// and only it. The Fanout booked it failed for good, and the Send
// succeeded.
func TestTargetCutByCloseStaysPending(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	ch := &closingHooks{targets: []string{"a", "b"}, cut: map[string]bool{"b": true}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 3}}, ch)
	u := validUpdate()
	u.ID = "u1"

	rep, err := b.Send(ctx, u)
	require.Error(t, err, "b did not get the update")
	res := rep.Results[0]
	assert.ErrorIs(t, res.Err, broadcast.ErrChannelClosed)
	assert.ErrorIs(t, res.Err, errHooksClosed)
	assert.False(t, broadcast.IsPermanent(res.Err), "a RunJob caller runs it again: %v", res.Err)
	assert.Empty(t, res.Failures, "closing the channel is no refusal")
	assert.Equal(t, []string{"b"}, targetNames(res.Pending))
	assert.Equal(t, []string{"u1>a", "u1>b"}, ch.sent(), "no retry against a closed channel")
	done, failure, err := store.Done(ctx, "u1", "hooks", "b")
	require.NoError(t, err)
	assert.False(t, done, "b is not marked (failure %q)", failure)

	ch.reopen()
	b2 := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	rep, err = b2.Send(ctx, u)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	assert.Equal(t, []string{"u1>a", "u1>b", "u1>b"}, ch.sent(), "b once more, a not again")
	rep, err = b2.Send(ctx, u)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped)
	assert.Len(t, ch.sent(), 3)
}

// A Job's run whose target Close cut fails transiently, and its next run
// (which leaves alone the targets refused in earlier runs) delivers it.
// The run succeeded, and the Job was done without it.
func TestJobTargetCutByCloseRunsAgain(t *testing.T) {
	ctx := context.Background()
	ch := &closingHooks{targets: []string{"a", "b"}, cut: map[string]bool{"b": true}}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
	require.NoError(t, err)

	r := b.RunJob(ctx, jobs[0], 1)
	require.Error(t, r.Err)
	assert.ErrorIs(t, r.Err, broadcast.ErrChannelClosed)
	assert.False(t, broadcast.IsPermanent(r.Err), "the caller runs it again: %v", r.Err)
	assert.False(t, broadcast.NotTried(r.Err), "the channel was tried")

	ch.reopen()
	r = b.RunJob(ctx, jobs[0], 2)
	require.NoError(t, r.Err)
	assert.Equal(t, []string{"b"}, r.Delivered)
	assert.Len(t, ch.sent(), 3)
}

// A channel of one target whose Send its Close ended is tried once, and
// its Result's error is not Permanent: a RunJob caller runs it again
// (it gave the Job up), and a later Send delivers it once.
func TestChannelClosedIsNotFailedForGood(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	ch := &closingHooks{shut: true}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 3}}, ch)
	u := validUpdate()
	u.ID = "u1"

	rep, err := b.Send(ctx, u)
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 1, res.Attempts, "no retry against a closed channel")
	assert.ErrorIs(t, res.Err, errHooksClosed)
	assert.False(t, broadcast.IsPermanent(res.Err), "a RunJob caller runs it again: %v", res.Err)
	var de *broadcast.DeliveryError
	require.True(t, errors.As(err, &de))

	jobs, err := b.Jobs(broadcast.JobSend, u, "")
	require.NoError(t, err)
	r := b.RunJob(ctx, jobs[0], 1)
	assert.ErrorIs(t, r.Err, broadcast.ErrChannelClosed)
	assert.False(t, broadcast.IsPermanent(r.Err), "the caller runs it again: %v", r.Err)

	ch.reopen()
	b2 := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	rep, err = b2.Send(ctx, u)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	assert.Equal(t, []string{"u1", "u1", "u1"}, ch.sent())
}

// unreadStore is a MemoryStore that cannot read the mark of target bad.
type unreadStore struct {
	*broadcast.MemoryStore
	bad string
}

var errUnread = errors.New("store: down")

func (s unreadStore) Done(ctx context.Context, update, channel, target string) (bool, string, error) {
	if target == s.bad {
		return false, "", errUnread
	}
	return s.MemoryStore.Done(ctx, update, channel, target)
}

// An attempt that could not read a target's mark, and whose other target
// Close cut, is not retried against the closed channel: the closed error
// stops the retries, as it does without the unread mark, and both targets
// stay pending, the Result's error not Permanent.
func TestTargetCutByCloseWithUnreadMarkStopsRetries(t *testing.T) {
	ctx := context.Background()
	store := unreadStore{MemoryStore: broadcast.NewMemoryStore(), bad: "c"}
	ch := &closingHooks{targets: []string{"a", "b", "c"}, cut: map[string]bool{"b": true}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 3}}, ch)
	u := validUpdate()
	u.ID = "u1"

	rep, err := b.Send(ctx, u)
	require.Error(t, err)
	res := rep.Results[0]
	assert.ErrorIs(t, res.Err, broadcast.ErrChannelClosed)
	assert.False(t, broadcast.IsPermanent(res.Err), "%v", res.Err)
	assert.Equal(t, 1, res.Attempts, "no retry against a closed channel")
	assert.Equal(t, []string{"u1>a", "u1>b"}, ch.sent())
	assert.ElementsMatch(t, []string{"b", "c"}, targetNames(res.Pending))
}

// closedAtDeadline is a channel whose Close ends its call as the
// attempt's timeout does: the call fails with its closed error once its
// context ends.
type closedAtDeadline struct {
	mu    sync.Mutex
	calls int
}

func (c *closedAtDeadline) Name() string { return "hooks" }

func (c *closedAtDeadline) Send(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	<-ctx.Done()
	return broadcast.Receipt{}, broadcast.Permanent(errHooksClosed)
}

// An attempt that ran out of AttemptTimeout with the channel's closed
// error is not retried against the closed channel, and its error still
// says the channel was closed.
func TestChannelClosedAtAttemptTimeoutStopsRetries(t *testing.T) {
	ch := &closedAtDeadline{}
	b := newBroadcaster(t, broadcast.Options{AttemptTimeout: time.Millisecond,
		Retry: broadcast.RetryPolicy{MaxAttempts: 3}}, ch)

	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	res := rep.Results[0]
	assert.ErrorIs(t, res.Err, broadcast.ErrChannelClosed)
	assert.ErrorIs(t, res.Err, broadcast.ErrAttemptTimeout)
	assert.False(t, broadcast.IsPermanent(res.Err), "%v", res.Err)
	assert.Equal(t, 1, res.Attempts, "no retry against a closed channel")
	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, 1, ch.calls)
}
