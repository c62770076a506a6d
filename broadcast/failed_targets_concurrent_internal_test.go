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

// gatedRefusal fans out to targets (a and b when nil); b refuses every
// post for good, and down fails every post transiently. Its first call
// signals entered and waits for gate.
type gatedRefusal struct {
	entered, gate chan struct{}
	once          sync.Once
	targets       []string
	down          string

	mu    sync.Mutex
	posts []string
}

func (c *gatedRefusal) Name() string { return "hooks" }

func (c *gatedRefusal) Send(_ context.Context, m Message) (Receipt, error) {
	c.once.Do(func() {
		close(c.entered)
		<-c.gate
	})
	targets := c.targets
	if targets == nil {
		targets = []string{"a", "b"}
	}
	f := NewFanout(m, targets)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, i := range f.Todo() {
		c.posts = append(c.posts, targets[i])
		switch targets[i] {
		case "b":
			f.Report(i, Permanent(errors.New("401 Unauthorized")))
		case c.down:
			f.Report(i, errors.New("503 Service Unavailable"))
		default:
			f.Report(i, nil)
		}
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
	b, ch, u := newDoubleClick(t, nil, "")
	assert.Equal(t, []string{"a", "b"}, ch.sent(), "b is asked once")

	_, err := b.Send(context.Background(), u)
	assert.ErrorContains(t, err, "401 Unauthorized")
	assert.Equal(t, []string{"a", "b", "b"}, ch.sent(), "a later Send tries b again")
}

// newDoubleClick makes a Broadcaster of a gatedRefusal of targets and
// down, runs two Sends of one update at once on it (doubleClick), checks
// that both say b refused, and returns the Broadcaster, the channel and
// the update.
func newDoubleClick(t *testing.T, targets []string, down string) (*Broadcaster, *gatedRefusal, Update) {
	t.Helper()
	ch := &gatedRefusal{entered: make(chan struct{}), gate: make(chan struct{}), targets: targets, down: down}
	b, err := New([]Channel{ch}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u := Update{ID: "u1", IncidentID: "inc", Title: "CDN errors", Status: StatusInvestigating}
	for _, err := range doubleClick(t, b, ch, u) {
		assert.ErrorContains(t, err, "401 Unauthorized", "both say b refused")
	}
	return b, ch, u
}

// doubleClick runs two Sends of u at once on b, the second joining the
// first's flight while ch holds the first's call, and returns their errors.
func doubleClick(t *testing.T, b *Broadcaster, ch *gatedRefusal, u Update) []error {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = b.Send(context.Background(), u) })
	<-ch.entered
	wg.Go(func() { _, errs[1] = b.Send(context.Background(), u) })
	for joined := false; !joined; runtime.Gosched() {
		b.flights.mu.Lock()
		fl := b.flights.m[flightKey{u.ID, ch.Name()}]
		joined = fl != nil && fl.refs == 2
		b.flights.mu.Unlock()
	}
	close(ch.gate)
	wg.Wait()
	return errs
}

// The rule holds when the first Send's delivery failed, not only when it
// reached the other targets: every target refused it, or one was still
// down when its retries ran out. The second Send tries again only the
// target that was down; its Result lists the refused one in Failures.
func TestConcurrentSendsTryARefusedTargetOnceWhenTheFirstFailed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		targets []string
		down    string
		sent    []string
	}{
		{"every target refused", []string{"b"}, "", []string{"b"}},
		{"another target down", []string{"a", "b", "c"}, "c", []string{"a", "b", "c", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ch, u := newDoubleClick(t, tc.targets, tc.down)
			assert.Equal(t, tc.sent, ch.sent(), "b is asked once")

			_, err := b.Send(context.Background(), u)
			assert.ErrorContains(t, err, "401 Unauthorized")
			assert.Equal(t, "b", ch.sent()[len(tc.sent)], "a later Send tries b again")
		})
	}
}
