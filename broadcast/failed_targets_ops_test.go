package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// refusedRooms is a fan-out channel that edits and deletes its posts:
// rooms in refused answer every call 401 (permanent). It records each
// call as "op:update>room" (op send, edit or retract), in order.
type refusedRooms struct {
	rooms []string

	mu      sync.Mutex
	refused map[string]bool
	calls   []string
	after   []string // of each Send, the update its Message.Thread.Last is
}

func (c *refusedRooms) Name() string { return "rooms" }

func (c *refusedRooms) refuse(rooms ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused = map[string]bool{}
	for _, r := range rooms {
		c.refused[r] = true
	}
}

func (c *refusedRooms) each(op, update string, f *broadcast.Fanout) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, i := range f.Todo() {
		room := c.rooms[i]
		c.calls = append(c.calls, op+":"+update+">"+room)
		if c.refused[room] {
			f.Report(i, broadcast.Permanent(errors.New("401 Unauthorized")))
			continue
		}
		f.Posted(i, roomPost(room))
	}
}

func (c *refusedRooms) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.rooms)
	c.mu.Lock()
	c.after = append(c.after, m.Thread.Last.UpdateID)
	c.mu.Unlock()
	c.each("send", m.Update.ID, f)
	return f.Receipt(), f.Err()
}

func (c *refusedRooms) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.rooms)
	c.each("edit", m.Update.ID, f)
	return prev, f.Err()
}

func (c *refusedRooms) Retract(_ context.Context, prev broadcast.Receipt) error {
	f := broadcast.NewFanout(broadcast.Message{}, c.rooms)
	c.each("retract", prev.UpdateID, f)
	return f.Err()
}

func (c *refusedRooms) log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.calls...)
}

// sendOnly hides the Editor and Retractor of the channel it wraps: a
// correction is posted anew in the thread.
type sendOnly struct{ c *refusedRooms }

func (p sendOnly) Name() string { return p.c.Name() }

func (p sendOnly) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	return p.c.Send(ctx, m)
}

// Unwrap hides the channel on purpose.
func (sendOnly) Unwrap() broadcast.Channel { return nil }

// A later Correct of the same correction tries again the rooms that
// refused it for good in an earlier one, and only those, as a later Send
// does; once they have it, the correction is done on the channel. It
// holds for an Editor, which edits, as for a channel that posts the
// correction anew.
func TestCorrectTriesRefusedTargetsAgain(t *testing.T) {
	for _, tt := range []struct {
		name string
		ch   func(*refusedRooms) broadcast.Channel
		op   string
	}{
		{"editor", func(c *refusedRooms) broadcast.Channel { return c }, "edit"},
		{"posted anew", func(c *refusedRooms) broadcast.Channel { return sendOnly{c} }, "send"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := &refusedRooms{rooms: []string{"a", "b", "c"}}
			store := broadcast.NewMemoryStore()
			b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 2}}, tt.ch(c))
			u := validUpdate()
			u.ID, u.IncidentID = "u1", "inc"
			_, err := b.Send(ctx, u)
			require.NoError(t, err)

			fix := validUpdate()
			fix.ID, fix.IncidentID, fix.Body = "fix1", "inc", "The US region is down."
			c.refuse("b")
			rep, err := b.Correct(ctx, "u1", fix)
			require.Error(t, err, "b refuses")
			require.Len(t, rep.Results[0].Failures, 1)
			assert.Equal(t, "b", rep.Results[0].Failures[0].Target)

			c.refuse()
			rep, err = b.Correct(ctx, "u1", fix)
			require.NoError(t, err, "b is put right")
			assert.False(t, rep.Results[0].Skipped, "b never got the correction")
			assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)

			rep, err = b.Correct(ctx, "u1", fix)
			require.NoError(t, err)
			assert.True(t, rep.Results[0].Skipped, "every room has it now")
			op := tt.op
			assert.Equal(t, []string{"send:u1>a", "send:u1>b", "send:u1>c",
				op + ":fix1>a", op + ":fix1>b", op + ":fix1>c", op + ":fix1>b"}, c.log(),
				"a and c are not sent the correction again")
			th, err := store.Thread(ctx, "inc", "rooms")
			require.NoError(t, err)
			if op == "send" {
				c.mu.Lock()
				assert.Equal(t, []string{"", "u1", "u1"}, c.after, "b gets the correction in the thread a and c got it in")
				c.mu.Unlock()
				assert.Equal(t, "fix1", th.Last.UpdateID)
			} else {
				assert.Equal(t, "u1", th.Last.UpdateID, "an edit keeps the thread's latest post")
			}
		})
	}
}

// A Job's later run of a correction is an attempt of one delivery: it
// leaves alone the rooms its earlier runs found refusing.
func TestCorrectJobLaterRunLeavesRefusedTargets(t *testing.T) {
	ctx := context.Background()
	c := &refusedRooms{rooms: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, c)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	fix := validUpdate()
	fix.ID, fix.Body = "fix1", "The US region is down."
	jobs, err := b.Jobs(broadcast.JobCorrect, fix, "u1")
	require.NoError(t, err)
	c.refuse("b")
	res := b.RunJob(ctx, jobs[0], 1)
	require.Error(t, res.Err)
	c.refuse()
	res = b.RunJob(ctx, jobs[0], 2)
	assert.Error(t, res.Err, "b failed for good in the Job's first run")
	assert.Equal(t, []string{"send:u1>a", "send:u1>b", "edit:fix1>a", "edit:fix1>b"}, c.log())
}

// A retraction that some rooms refused is not done: a later Retract tries
// the deletion again (a Retractor has no Ledger; a deletion of a post
// already gone is no error).
func TestRetractTriesRefusedTargetsAgain(t *testing.T) {
	ctx := context.Background()
	c := &refusedRooms{rooms: []string{"a", "b"}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 2}}, c)
	u := validUpdate()
	u.ID = "u1"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)

	c.refuse("b")
	rep, err := b.Retract(ctx, "u1")
	require.Error(t, err, "b refuses")
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))

	c.refuse()
	rep, err = b.Retract(ctx, "u1")
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped, "b's post is still up")

	rep, err = b.Retract(ctx, "u1")
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped)
	assert.Equal(t, []string{"send:u1>a", "send:u1>b", "retract:u1>a", "retract:u1>b", "retract:u1>a", "retract:u1>b"}, c.log())
}
