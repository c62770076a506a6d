package broadcast_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// closingRooms posts to rooms through a Fanout, naming each room's post
// in its receipt's Meta, and deletes and edits them through one; a room
// in cut fails with its closed error, Permanent, as a Close under way
// would end its request.
type closingRooms struct {
	rooms []string

	mu      sync.Mutex
	cut     map[string]bool
	deletes []string
	edits   []string
}

func (c *closingRooms) Name() string { return "rooms" }

func (c *closingRooms) setCut(rooms ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = map[string]bool{}
	for _, r := range rooms {
		c.cut[r] = true
	}
}

// fanout reports on a Fanout of m to rooms: a room in cut fails with its
// closed error, Permanent, and each other room is given to do. The caller
// holds c.mu.
func (c *closingRooms) fanout(m broadcast.Message, rooms []string, do func(f *broadcast.Fanout, i int, room string)) *broadcast.Fanout {
	f := broadcast.NewFanout(m, rooms)
	for _, i := range f.Todo() {
		if c.cut[rooms[i]] {
			f.Report(i, broadcast.Permanent(errHooksClosed))
			continue
		}
		do(f, i, rooms[i])
	}
	return f
}

func (c *closingRooms) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.fanout(m, c.rooms, func(f *broadcast.Fanout, i int, room string) {
		f.Posted(i, roomPost(room))
	})
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

func (c *closingRooms) Retract(_ context.Context, prev broadcast.Receipt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var rooms []string
	for _, r := range c.rooms {
		if prev.Meta["post."+r] != "" {
			rooms = append(rooms, r)
		}
	}
	f := c.fanout(broadcast.Message{}, rooms, func(f *broadcast.Fanout, i int, room string) {
		c.deletes = append(c.deletes, room)
		f.Report(i, nil)
	})
	return f.Err()
}

func (c *closingRooms) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.fanout(m, c.rooms, func(f *broadcast.Fanout, i int, room string) {
		c.edits = append(c.edits, room)
		f.Report(i, nil)
	})
	return prev, f.Err()
}

func (c *closingRooms) log() (deletes, edits []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.deletes...), append([]string(nil), c.edits...)
}

// A Retract whose request to a room the channel's Close ended leaves the
// post there neither deleted nor failed for good: its error is not
// Permanent, and a later Retract deletes it, and only it.
func TestRetractCutByCloseDeletesLater(t *testing.T) {
	ctx := context.Background()
	store := broadcast.NewMemoryStore()
	ch := &closingRooms{rooms: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 3}}, ch)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)

	ch.setCut("b")
	rep, err := b.Retract(ctx, "u1")
	require.Error(t, err)
	res := rep.Results[0]
	assert.ErrorIs(t, res.Err, broadcast.ErrChannelClosed)
	assert.False(t, broadcast.IsPermanent(res.Err), "%v", res.Err)
	deletes, _ := ch.log()
	assert.Equal(t, []string{"a"}, deletes, "no retry against a closed channel")
	on, err := b.RetractedOn(ctx, "u1")
	require.NoError(t, err)
	assert.Empty(t, on, "b still has the post")

	ch.setCut()
	rep, err = b.Retract(ctx, "u1")
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped)
	deletes, _ = ch.log()
	assert.Contains(t, deletes[1:], "b")
	on, err = b.RetractedOn(ctx, "u1")
	require.NoError(t, err)
	assert.Equal(t, []string{"rooms"}, on)
}

// A JobRetract whose run Close cut is run again: not Permanent, and the
// next run deletes the post.
func TestJobRetractCutByCloseRunsAgain(t *testing.T) {
	ctx := context.Background()
	ch := &closingRooms{rooms: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	jobs, err := b.Jobs(broadcast.JobRetract, broadcast.Update{}, "u1")
	require.NoError(t, err)

	ch.setCut("a", "b")
	r := b.RunJob(ctx, jobs[0], 1)
	require.Error(t, r.Err)
	assert.ErrorIs(t, r.Err, broadcast.ErrChannelClosed)
	assert.False(t, broadcast.IsPermanent(r.Err), "%v", r.Err)
	assert.False(t, r.Skipped)

	ch.setCut()
	r = b.RunJob(ctx, jobs[0], 2)
	require.NoError(t, r.Err)
	assert.False(t, r.Skipped)
	deletes, _ := ch.log()
	assert.ElementsMatch(t, []string{"a", "b"}, deletes)
}

// A Correct edited in place whose request to a room Close ended leaves
// that room pending, and a later Correct edits it, and only it.
func TestCorrectCutByCloseEditsLater(t *testing.T) {
	ctx := context.Background()
	ch := &closingRooms{rooms: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 3}}, ch)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)

	fix := validUpdate()
	fix.ID = "u1-fix"
	fix.Body = "fixed"
	ch.setCut("b")
	rep, err := b.Correct(ctx, "u1", fix)
	require.Error(t, err)
	require.NotNil(t, rep, "%v", err)
	res := rep.Results[0]
	assert.ErrorIs(t, res.Err, broadcast.ErrChannelClosed)
	assert.False(t, broadcast.IsPermanent(res.Err), "%v", res.Err)
	assert.Empty(t, res.Failures)
	assert.Equal(t, []string{"b"}, targetNames(res.Pending))

	ch.setCut()
	_, err = b.Correct(ctx, "u1", fix)
	require.NoError(t, err)
	_, edits := ch.log()
	assert.Equal(t, []string{"a", "b"}, edits)
}
