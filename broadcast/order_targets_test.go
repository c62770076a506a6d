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

// fanChannel is a channel with targets "a" and "c" that fails, transiently,
// the targets named in fail, and records each target's posts in order.
type fanChannel struct {
	mu    sync.Mutex
	lost  bool                // the attempt fails after its targets are reached (its end never recorded)
	fail  map[string]bool     // target → fails now
	posts map[string][]string // target → the update IDs posted there, in order
}

func newFanChannel() *fanChannel {
	return &fanChannel{fail: map[string]bool{}, posts: map[string][]string{}}
}

func (c *fanChannel) setFail(targets ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.fail)
	for _, t := range targets {
		c.fail[t] = true
	}
}

func (c *fanChannel) posted(target string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.posts[target]...)
}

func (c *fanChannel) Name() string { return "fan" }

func (c *fanChannel) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	targets := []string{"a", "c"}
	f := broadcast.NewFanout(m, targets)
	for _, i := range f.Todo() {
		c.mu.Lock()
		failing := c.fail[targets[i]]
		if !failing {
			c.posts[targets[i]] = append(c.posts[targets[i]], m.Update.ID)
		}
		c.mu.Unlock()
		if failing {
			f.Report(i, errFlaky)
		} else {
			f.Report(i, nil)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost {
		return broadcast.Receipt{}, errFlaky
	}
	return broadcast.Receipt{}, f.Err()
}

// orderedUpdates returns two updates of one incident, u1 older than u2.
func orderedUpdates() (u1, u2 broadcast.Update) {
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	u1, u2 = validUpdate(), validUpdate()
	u1.ID, u1.IncidentID, u1.Time = "u1", "inc", t0
	u2.ID, u2.IncidentID, u2.Time, u2.Status = "u2", "inc", t0.Add(time.Hour), broadcast.StatusIdentified
	return u1, u2
}

// An older update that reached some targets of a fan-out channel is not
// posted, when sent again, to a target that a newer update of the incident
// reached meanwhile: the older one would come after the newer one there.
// The Result says that target was superseded; the older update still goes
// to targets the newer one has not reached. It holds for a Broadcaster that
// shares the Store (another instance, or after a restart) as for the one
// that sent the newer update.
func TestOlderUpdateIsNotPostedWhereANewerOneIs(t *testing.T) {
	u1, u2 := orderedUpdates()
	crossedOnTargets(t, u1, u2, func(t *testing.T, b *broadcast.Broadcaster, ch *fanChannel, rep *broadcast.Report) {
		assert.Equal(t, []string{"u2"}, ch.posted("c"), "u1 is not posted after u2 on c")
		res := rep.Results[0]
		assert.Equal(t, []string{"c"}, res.SupersededTargets)
		assert.Empty(t, res.Delivered)

		rep, err := b.Send(context.Background(), u2)
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, rep.Results[0].Delivered)
		assert.Equal(t, []string{"u1", "u2"}, ch.posted("a"))
		assert.Equal(t, []string{"u2"}, ch.posted("c"))
	})
}

// crossedOnTargets sends u1, which reaches a and fails on c, then u2,
// which reaches c and fails on a, then u1 again with every target up, by
// the same Broadcaster and by another sharing the Store (a subtest each),
// and hands check that last Send's Report and the Broadcaster that made it.
func crossedOnTargets(t *testing.T, u1, u2 broadcast.Update,
	check func(t *testing.T, b *broadcast.Broadcaster, ch *fanChannel, rep *broadcast.Report)) {
	for _, another := range []bool{false, true} {
		name := "same broadcaster"
		if another {
			name = "another broadcaster"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ch := newFanChannel()
			store := broadcast.NewMemoryStore()
			opts := broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
			b := newBroadcaster(t, opts, ch)

			ch.setFail("c")
			_, err := b.Send(ctx, u1)
			require.Error(t, err)
			ch.setFail("a")
			_, err = b.Send(ctx, u2)
			require.Error(t, err)

			ch.setFail()
			if another {
				b = newBroadcaster(t, opts, ch)
			}
			rep, err := b.Send(ctx, u1)
			require.NoError(t, err)
			check(t, b, ch, rep)
		})
	}
}

// An older update that reached no target, sent again when a newer update
// reached every target but its delivery was not recorded as a whole, is
// posted nowhere: its Result says Superseded, and lists the targets.
func TestOlderUpdateSupersededOnEveryTarget(t *testing.T) {
	ctx := context.Background()
	ch := newFanChannel()
	opts := broadcast.Options{Store: broadcast.NewMemoryStore(), Retry: broadcast.RetryPolicy{MaxAttempts: 1}}
	b := newBroadcaster(t, opts, ch)
	u1 := olderLeftBehind(t, ctx, b, ch)

	rep, err := newBroadcaster(t, opts, ch).Send(ctx, u1)
	require.NoError(t, err)
	res := rep.Results[0]
	assert.True(t, res.Superseded)
	assert.Equal(t, []string{"a", "c"}, res.SupersededTargets)
	assert.Equal(t, []string{"u2"}, ch.posted("a"))
	assert.Equal(t, []string{"u2"}, ch.posted("c"))
	th, err := opts.Store.Thread(ctx, "inc", "fan")
	require.NoError(t, err)
	assert.Empty(t, th.Last.UpdateID, "u1 is no post of the thread")
}

// A newer update retracted on a fan-out channel keeps no older one from
// the targets it reached: its posts there are deleted, so the older
// update, sent again, reaches them, and nothing lists them superseded.
func TestRetractedNewerUpdateKeepsNoTarget(t *testing.T) {
	ctx := context.Background()
	ch := &rooms{name: "fan", rooms: []string{"a", "c"}, down: map[string]bool{"c": true}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	u1, u2 := orderedUpdates()

	_, err := b.Send(ctx, u1)
	require.Error(t, err, "c is down")
	ch.mu.Lock()
	ch.down = map[string]bool{"a": true}
	ch.mu.Unlock()
	_, err = b.Send(ctx, u2)
	require.Error(t, err, "a is down")
	ret, err := b.Retract(ctx, "u2")
	require.NoError(t, err)
	require.False(t, ret.Results[0].Skipped, "u2 was posted to c")

	ch.mu.Lock()
	ch.down = nil
	ch.mu.Unlock()
	rep, err := b.Send(ctx, u1)
	require.NoError(t, err)
	res := rep.Results[0]
	assert.Empty(t, res.SupersededTargets)
	assert.False(t, res.Superseded)
	assert.Equal(t, []string{"c"}, res.Delivered, "u2's post on c is deleted: u1 goes there")
	ch.mu.Lock()
	defer ch.mu.Unlock()
	assert.Equal(t, []string{"a", "c", "c"}, ch.posted, "a and c for u1 in turn, c for u2")
}

// olderLeftBehind sends, through b, the older of orderedUpdates to ch
// with targets a and c failing, then the newer to every target, its
// delivery's record lost; it returns the older update, which reached
// only the target the newer one also did.
func olderLeftBehind(t *testing.T, ctx context.Context, b *broadcast.Broadcaster, ch *fanChannel) broadcast.Update {
	t.Helper()
	u1, u2 := orderedUpdates()
	ch.setFail("a", "c")
	_, err := b.Send(ctx, u1)
	require.Error(t, err)
	ch.setFail()
	ch.lost = true
	_, err = b.Send(ctx, u2)
	require.Error(t, err)
	ch.lost = false
	return u1
}
