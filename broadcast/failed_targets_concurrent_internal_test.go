package broadcast

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gatedRefusal fans out to a and b; b refuses every post for good. Its
// first call signals entered and waits for gate.
type gatedRefusal struct {
	entered, gate chan struct{}
	once          sync.Once

	mu    sync.Mutex
	posts []string
}

func (c *gatedRefusal) Name() string { return "hooks" }

func (c *gatedRefusal) Send(_ context.Context, m Message) (Receipt, error) {
	c.once.Do(func() {
		close(c.entered)
		<-c.gate
	})
	targets := []string{"a", "b"}
	f := NewFanout(m, targets)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, i := range f.Todo() {
		c.posts = append(c.posts, targets[i])
		if targets[i] == "b" {
			f.Report(i, Permanent(errors.New("401 Unauthorized")))
			continue
		}
		f.Report(i, nil)
	}
	return Receipt{ID: "post"}, f.Err()
}

func (c *gatedRefusal) sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.posts...)
}

// Two Sends of one update at once (a double click) are one delivery: the
// second waits for the first, and does not try again the target the first
// found refusing; a Send after both does.
func TestConcurrentSendsTryARefusedTargetOnce(t *testing.T) {
	ch := &gatedRefusal{entered: make(chan struct{}), gate: make(chan struct{})}
	b, err := New([]Channel{ch}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u := Update{ID: "u1", IncidentID: "inc", Title: "CDN errors", Status: StatusInvestigating}

	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = b.Send(context.Background(), u) })
	<-ch.entered
	wg.Go(func() { _, errs[1] = b.Send(context.Background(), u) })
	for joined := false; !joined; runtime.Gosched() {
		b.flights.mu.Lock()
		fl := b.flights.m[flightKey{"u1", "hooks"}]
		joined = fl != nil && fl.refs == 2
		b.flights.mu.Unlock()
	}
	close(ch.gate)
	wg.Wait()
	for _, err := range errs {
		assert.ErrorContains(t, err, "401 Unauthorized", "both say b refused")
	}
	assert.Equal(t, []string{"a", "b"}, ch.sent(), "b is asked once")

	_, err = b.Send(context.Background(), u)
	assert.ErrorContains(t, err, "401 Unauthorized")
	assert.Equal(t, []string{"a", "b", "b"}, ch.sent(), "a later Send tries b again")
}
