package broadcast

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tieFan is a channel with targets "a" and "c" that fails a target for an
// update while fail says so, and records each target's posts in order.
type tieFan struct {
	mu    sync.Mutex
	fail  map[string]error    // update ID + "/" + target → its answer now
	posts map[string][]string // target → the update IDs posted there
}

func (c *tieFan) Name() string { return "fan" }

func (c *tieFan) Send(_ context.Context, m Message) (Receipt, error) {
	targets := []string{"a", "c"}
	f := NewFanout(m, targets)
	for _, i := range f.Todo() {
		c.mu.Lock()
		err := c.fail[m.Update.ID+"/"+targets[i]]
		if err == nil {
			c.posts[targets[i]] = append(c.posts[targets[i]], m.Update.ID)
		}
		c.mu.Unlock()
		f.Report(i, err)
	}
	return Receipt{}, f.Err()
}

func (c *tieFan) set(key string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail[key] = err
}

func (c *tieFan) posted(target string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.posts[target]...)
}

// waitingOrGone waits until a delivery of incident on channel waits to
// retry (see newest.changed) or, with gone, until none is left (the last
// one stopped), and reports whether one waits.
func (n *newest) waitingOrGone(incident, channel string, gone bool) bool {
	for {
		n.mu.Lock()
		e := n.m[pairKey{incident, channel}]
		waiting := e != nil && e.changed != nil
		n.mu.Unlock()
		if waiting || gone && e == nil {
			return waiting
		}
		runtime.Gosched()
	}
}

// Of two updates of an incident with the same Time, the one sent first,
// sent again while the other's retries wait on a fan-out channel, is the
// older there as a whole as it is on each target: its delivery to a
// target the other had not reached does not stop the other's retries as
// Superseded (they still owe that target the newer update), and a later
// Send of the other posts it there after the older one.
func TestResendOfOlderOfEqualTimesKeepsTheNewerRetrying(t *testing.T) {
	ch := &tieFan{fail: map[string]error{}, posts: map[string][]string{}}
	b := orderBroadcaster(t, ch, Options{Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: time.Hour,
		MaxInterval: time.Hour, MaxElapsed: 3 * time.Hour}})
	u1, u2 := tieUpdates()

	refused := Permanent(errors.New("403 forbidden"))
	ch.set("u1/a", refused)
	ch.set("u1/c", refused)
	_, err := b.Send(context.Background(), u1)
	require.Error(t, err, "u1 reaches no target")

	ch.set("u2/c", errors.New("connection reset"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type sent struct {
		rep *Report
		err error
	}
	done := make(chan sent, 1)
	go func() {
		rep, err := b.Send(ctx, u2)
		done <- sent{rep, err}
	}()
	require.True(t, b.newest.waitingOrGone("inc", "fan", false), "u2 reached a, and waits to retry c")

	ch.set("u1/a", nil)
	ch.set("u1/c", nil)
	rep, err := b.Send(context.Background(), u1)
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, rep.Results[0].SupersededTargets, "u2 reached a first")
	assert.Equal(t, []string{"c"}, rep.Results[0].Delivered)

	waiting := b.newest.waitingOrGone("inc", "fan", true)
	cancel()
	s := <-done
	assert.True(t, waiting, "u2 still waits to retry c")
	require.NotNil(t, s.rep)
	assert.False(t, s.rep.Results[0].Superseded, "u2 is newer than u1: %v", s.err)

	ch.set("u2/c", nil)
	_, err = b.Send(context.Background(), u2)
	require.NoError(t, err)
	assert.Equal(t, []string{"u1", "u2"}, ch.posted("c"), "c has u2 after u1")
	assert.Equal(t, []string{"u2"}, ch.posted("a"))
}

// Places given never repeat, however fast the Sends come.
func TestPlacesNeverRepeat(t *testing.T) {
	var p places
	prev := p.stamp()
	for i := 1; i <= 10000; i++ {
		next := p.stamp()
		require.True(t, next.After(prev), "place %d after place %d", i, i-1)
		prev = next
	}
}
