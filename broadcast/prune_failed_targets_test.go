package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A Prune after an in-place correction keeps, with the thread's latest
// update, its mark that some of its targets refused it for good: a later
// Send of that update tries those targets again, and only those. The
// correction marked the update delivered again, to keep its thread, but
// not that its targets failed, so the Prune left a mark that said every
// target had it, and the Send skipped the channel.
func TestPruneKeepsFailedTargetsOfKeptUpdate(t *testing.T) {
	ctx := context.Background()
	c, store, b, u1, u2 := refusedLatest(t)
	c.refuse()

	cutoff := pastCutoff()
	fix := u1
	fix.ID, fix.Time, fix.Body = "fix1", time.Time{}, "The US region is down."
	_, err := b.Correct(ctx, "u1", fix)
	require.NoError(t, err)
	_, err = store.Prune(ctx, cutoff)
	require.NoError(t, err)

	rep, err := b.Send(ctx, u2)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Skipped, "b never got u2")
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	assert.Equal(t, []string{"send:u1>a", "send:u1>b", "send:u2>a", "send:u2>b",
		"edit:fix1>a", "edit:fix1>b", "send:u2>b"}, c.log(), "a is not sent u2 again")
}

// A Correct again, which edits only the targets that refused the
// correction, keeps through a Prune the marks of the thread's latest
// update on the targets the correction reached earlier too: a later Send
// of the update tries the target that refused it, and does not post it
// again to the one it reached. Only the targets the Correct again marked
// were marked again, so the Prune dropped the update's mark on the other
// while keeping its mark that targets failed, and the Send posted there
// twice.
func TestPruneKeepsReachedTargetsOfKeptUpdateAfterCorrectAgain(t *testing.T) {
	ctx := context.Background()
	c, store, b, u1, u2 := refusedLatest(t)
	fix := u1
	fix.ID, fix.Time, fix.Body = "fix1", time.Time{}, "The US region is down."
	_, err := b.Correct(ctx, "u1", fix)
	require.Error(t, err, "b refuses fix1")
	c.refuse()

	cutoff := pastCutoff()
	_, err = b.Correct(ctx, "u1", fix)
	require.NoError(t, err, "b takes fix1 now")
	_, err = store.Prune(ctx, cutoff)
	require.NoError(t, err)

	rep, err := b.Send(ctx, u2)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, rep.Results[0].Delivered)
	assert.Equal(t, []string{"send:u1>a", "send:u1>b", "send:u2>a", "send:u2>b",
		"edit:fix1>a", "edit:fix1>b", "edit:fix1>b", "send:u2>b"}, c.log(), "a is not sent u2 again")
}

// refusedLatest sends u1 of an incident to rooms a and b, then u2, which
// b refuses for good, through a Broadcaster on a MemoryStore that tries
// once; b still refuses after.
func refusedLatest(t *testing.T) (*refusedRooms, *broadcast.MemoryStore, *broadcast.Broadcaster, broadcast.Update, broadcast.Update) {
	t.Helper()
	c := &refusedRooms{rooms: []string{"a", "b"}}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, c)
	u1, u2, _, _ := threadOfThree()
	_, err := b.Send(context.Background(), u1)
	require.NoError(t, err)
	c.refuse("b")
	_, err = b.Send(context.Background(), u2)
	require.Error(t, err, "b refuses u2")
	return c, store, b, u1, u2
}
