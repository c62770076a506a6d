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

// receivers is a channel with webhook-like endpoints: those in refused
// answer 401 (a wrong secret: permanent), those in down fail transiently.
// It records each post and the Thread each call was given.
type receivers struct {
	targets []string

	postLog // its mu guards the fields below too
	refused map[string]bool
	down    map[string]bool
	threads []broadcast.Thread
}

func (c *receivers) Name() string { return "hooks" }

func (c *receivers) set(refused, down map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused, c.down = refused, down
}

func (c *receivers) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.threads = append(c.threads, m.Thread)
	for _, i := range f.Todo() {
		t := c.targets[i]
		c.posts = append(c.posts, m.Update.ID+">"+t)
		switch {
		case c.refused[t]:
			f.Report(i, broadcast.Permanent(errors.New("401 Unauthorized")))
		case c.down[t]:
			f.Report(i, errors.New("503 Service Unavailable"))
		default:
			f.Report(i, nil)
		}
	}
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, f.Err()
}

// postLog is the record of a fake channel's posts, "update>target" or
// "update" for a channel of one endpoint, in order; its mu guards the
// channel's other fields too.
type postLog struct {
	mu    sync.Mutex
	posts []string
}

// sent returns a copy of the posts recorded so far.
func (l *postLog) sent() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.posts...)
}

// A target that failed permanently is not tried again within the Send
// that failed it (its retries), but a later Send of the same update tries
// it again, once its receiver is put right, as it tries a channel that
// failed as a whole: never the targets delivered. Once it is delivered,
// the update is done on the channel.
func TestTargetFailedPermanentlyIsTriedByALaterSend(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b", "c"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 2}}, ch)
	u := validUpdate()
	u.ID = "u1"

	ch.set(map[string]bool{"b": true}, map[string]bool{"c": true})
	rep, err := b.Send(ctx, u)
	require.Error(t, err)
	assert.Equal(t, []string{"u1>a", "u1>b", "u1>c", "u1>c"}, ch.sent(), "b is not tried again within the Send")
	require.Len(t, rep.Results[0].Failures, 1)
	assert.Equal(t, "b", rep.Results[0].Failures[0].Target)

	ch.set(map[string]bool{"b": true}, nil)
	rep, err = b.Send(ctx, u)
	require.Error(t, err, "b still refuses")
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, []string{"c"}, rep.Results[0].Delivered)
	assert.Equal(t, []string{"u1>a", "u1>b", "u1>c", "u1>c", "u1>b", "u1>c"}, ch.sent(),
		"b failed permanently in an earlier Send: tried again")

	ch.set(nil, nil)
	rep, err = b.Send(ctx, u)
	require.NoError(t, err, "b's secret is fixed")
	res := rep.Results[0]
	assert.False(t, res.Skipped)
	assert.Equal(t, []string{"b"}, res.Delivered)
	assert.Empty(t, res.Failures)
	assert.Equal(t, []string{"u1>a", "u1>b", "u1>c", "u1>c", "u1>b", "u1>c", "u1>b"}, ch.sent(), "a and c are not sent to again")

	rep, err = b.Send(ctx, u)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped, "every target has it now")
	assert.Len(t, ch.sent(), 7)
}

// A later Send that tries again a target that failed permanently gives
// the channel the thread the update was first sent in (the post before
// it), not the update's own post, and keeps the update's post as the one
// the incident's next update follows.
func TestTargetTriedAgainKeepsItsThread(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	u0, u1 := validUpdate(), validUpdate()
	u0.ID, u0.IncidentID, u0.Time = "u0", "inc", t0
	u1.ID, u1.IncidentID, u1.Time, u1.Status = "u1", "inc", t0.Add(time.Hour), broadcast.StatusIdentified

	_, err := b.Send(ctx, u0)
	require.NoError(t, err)
	ch.set(map[string]bool{"b": true}, nil)
	_, err = b.Send(ctx, u1)
	require.Error(t, err)
	ch.set(nil, nil)
	_, err = b.Send(ctx, u1)
	require.NoError(t, err)

	ch.mu.Lock()
	threads := append([]broadcast.Thread(nil), ch.threads...)
	ch.mu.Unlock()
	require.Len(t, threads, 3)
	assert.Equal(t, "post-u0", threads[2].Last.ID, "b gets u1 in the thread the others got it in")
	assert.Equal(t, threads[1], threads[2])
	th, err := store.Thread(ctx, "inc", "hooks")
	require.NoError(t, err)
	assert.Equal(t, "u1", th.Last.UpdateID)
	assert.Equal(t, "u0", th.Root.UpdateID)
}

// An older update whose target failed permanently is not tried there
// again once a newer update of the incident is out on the channel: it
// would come after the newer one.
func TestTargetFailedPermanentlyOfAnOlderUpdateStaysSuperseded(t *testing.T) {
	ctx := context.Background()
	ch := &receivers{targets: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u1, u2 := orderedUpdates()

	ch.set(map[string]bool{"b": true}, nil)
	_, err := b.Send(ctx, u1)
	require.Error(t, err)
	ch.set(nil, nil)
	_, err = b.Send(ctx, u2)
	require.NoError(t, err)

	rep, err := b.Send(ctx, u1)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded)
	assert.Equal(t, []string{"u1>a", "u1>b", "u2>a", "u2>b"}, ch.sent())
}
