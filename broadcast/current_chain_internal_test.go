package broadcast

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// chainStore counts, and fails when told to, the reads of the Store's
// records of what a correction corrects.
type chainStore struct {
	*MemoryStore
	fail  atomic.Bool
	reads atomic.Int64
}

func (s *chainStore) Receipt(ctx context.Context, u, ch string) (Receipt, bool, error) {
	if strings.HasPrefix(u, correctsKey("")) {
		s.reads.Add(1)
		if s.fail.Load() {
			return Receipt{}, false, errors.New("disk I/O error")
		}
	}
	return s.MemoryStore.Receipt(ctx, u, ch)
}

// currentLog records each Message's Current.
type currentLog struct {
	mu      sync.Mutex
	current []bool
}

func (c *currentLog) channel() Channel {
	return ChannelFunc("x", func(_ context.Context, m Message) (Receipt, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.current = append(c.current, m.Current())
		return Receipt{ID: m.Update.ID}, nil
	})
}

func (c *currentLog) lastCurrent() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current[len(c.current)-1]
}

func chainCorrect(t *testing.T, b *Broadcaster, original, id string) {
	t.Helper()
	u := retractTestUpdate(id)
	u.Time, u.Body = time.Time{}, "Corrected."
	rep, err := b.Correct(context.Background(), original, u)
	if err != nil || rep.Results[0].Err != nil {
		t.Fatalf("correct %s: %v %v", original, err, rep.Results[0].Err)
	}
}

// newCurrentLogged returns a Broadcaster with opts over one channel
// that logs each post's Current, closed when t ends.
func newCurrentLogged(t *testing.T, opts Options) (*currentLog, *Broadcaster) {
	t.Helper()
	rec := &currentLog{}
	b, err := New([]Channel{rec.channel()}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return rec, b
}

// A hand-edited or damaged Store whose records of what corrections
// correct make a cycle (a corrects c2, which corrects c1, which corrects
// a): the walk up a correction's chain ends after maxCorrectionChain
// links, and the correction is posted, not current: the safe answer of
// a walk that ran out (see correctsOlder).
func TestCorrectionChainCycleIsBounded(t *testing.T) {
	s := &chainStore{MemoryStore: NewMemoryStore()}
	rec, b := newCurrentLogged(t, Options{Store: s})
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("a")); err != nil {
		t.Fatal(err)
	}
	chainCorrect(t, b, "a", "c1")
	chainCorrect(t, b, "c1", "c2")
	if err := s.SaveReceipt(ctx, "", correctsKey("a"), Receipt{ID: "c2", Channel: sentChannel}); err != nil {
		t.Fatal(err)
	}
	s.reads.Store(0)
	chainCorrect(t, b, "c2", "c3")
	if rec.lastCurrent() {
		t.Error("c3's chain cannot be walked to its start: want not current")
	}
	if n := s.reads.Load(); n > 2*maxCorrectionChain {
		t.Errorf("%d reads of what corrections correct for one Correct", n)
	}
}

// A record of what a correction corrects that cannot be read, a Store's
// transient failure, fails the attempt for a retry, as every other read
// that tells whether the correction is current does (see correctsOlder):
// the channel is not called with an answer the Store could not give. It
// was logged, and the correction posted as not current at once, though
// the next attempt read it (the correction of a, the only update, is
// current).
func TestCorrectionChainReadErrorRetried(t *testing.T) {
	s := &chainStore{MemoryStore: NewMemoryStore()}
	var retried atomic.Int64
	rec, b := newCurrentLogged(t, Options{Store: s,
		Retry: RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
		OnEvent: func(e Event) {
			if e.Kind == EventRetry {
				retried.Add(1)
				s.fail.Store(false) // the Store is back
			}
		}})
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("a")); err != nil {
		t.Fatal(err)
	}
	chainCorrect(t, b, "a", "c1")
	s.fail.Store(true)
	chainCorrect(t, b, "c1", "c2")
	if retried.Load() == 0 {
		t.Error("the read failure did not fail the attempt for a retry")
	}
	if !rec.lastCurrent() {
		t.Error("c2 corrects the only update's chain: want current once the Store reads")
	}
}

// A Store that cannot read a record of what a correction corrects for
// good fails the correction's channel with the Store's error, after its
// retries: the channel was not called.
func TestCorrectionChainReadErrorFails(t *testing.T) {
	s := &chainStore{MemoryStore: NewMemoryStore()}
	rec, b := newCurrentLogged(t, Options{Store: s, Retry: RetryPolicy{MaxAttempts: 2,
		InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	ctx := context.Background()
	if _, err := b.Send(ctx, retractTestUpdate("a")); err != nil {
		t.Fatal(err)
	}
	chainCorrect(t, b, "a", "c1")
	s.fail.Store(true)
	u := retractTestUpdate("c2")
	u.Time, u.Body = time.Time{}, "Corrected."
	rep, err := b.Correct(ctx, "c1", u)
	if err == nil || rep == nil || rep.Results[0].Err == nil {
		t.Fatalf("want the channel failed, got %v", err)
	}
	if msg := rep.Results[0].Err.Error(); !strings.Contains(msg, "disk I/O error") || !strings.Contains(msg, "c1") {
		t.Errorf("error does not say what could not be read: %q", msg)
	}
	if rep.Results[0].Attempts < 2 {
		t.Errorf("%d attempts: want the read failure retried", rep.Results[0].Attempts)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.current) != 2 {
		t.Errorf("%d posts: want a's and c1's only", len(rec.current))
	}
}

// linkStore counts the reads of the Store's links to the post before
// another (see linkPrevious).
type linkStore struct {
	*MemoryStore
	reads atomic.Int64
}

func (s *linkStore) Receipt(ctx context.Context, u, ch string) (Receipt, bool, error) {
	if strings.HasPrefix(u, previousKey("")) {
		s.reads.Add(1)
	}
	return s.MemoryStore.Receipt(ctx, u, ch)
}

// A hand-edited or damaged Store whose links between two corrections'
// posts of one Time make a cycle (c1 after c2, c2 after c1): an update of
// that Time sent again ends lastPlace's walk after maxThreadWalk links.
func TestLastPlaceLinkCycleIsBounded(t *testing.T) {
	s := &linkStore{MemoryStore: NewMemoryStore()}
	_, b := newCurrentLogged(t, Options{Store: s})
	ctx := context.Background()
	u, n, m := retractTestUpdate("u"), retractTestUpdate("n"), retractTestUpdate("m")
	n.Time = u.Time.Add(time.Minute)
	m.Time = n.Time
	for _, up := range []Update{u, n} {
		if _, err := b.Send(ctx, up); err != nil {
			t.Fatal(err)
		}
	}
	chainCorrect(t, b, "u", "c1")
	chainCorrect(t, b, "u", "c2") // after c1, with n's Time
	c2, ok, err := s.Receipt(ctx, "c2", "x")
	if err != nil || !ok || !c2.UpdateTime.Equal(n.Time) {
		t.Fatalf("receipt of c2: %+v %v %v", c2, ok, err)
	}
	if err := s.SaveReceipt(ctx, threadLinks, previousKey("c1"), c2); err != nil {
		t.Fatal(err)
	}
	s.reads.Store(0)
	if _, err := b.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if n := s.reads.Load(); n < maxThreadWalk || n > maxThreadWalk+4 {
		t.Errorf("%d reads of links for one Send: want the walk's %d and a few", n, maxThreadWalk)
	}
}

// A walk back over the thread for Message.Current that runs out of posts
// (maxCurrentWalk) before it can tell whether a newer update's post is up
// answers the safe answer, not current: corrections of an older update a
// posted after a newer update b, more of them than the walk follows, are
// none of them current. The walk that ran out answered current.
func TestMessageCurrentWalkRunsOut(t *testing.T) {
	defer func(n int) { maxCurrentWalk = n }(maxCurrentWalk)
	maxCurrentWalk = 8
	rec, b := newCurrentLogged(t, Options{})
	ctx := context.Background()
	a, nb := retractTestUpdate("a"), retractTestUpdate("b")
	nb.Time, nb.Status = a.Time.Add(time.Minute), StatusResolved
	for _, u := range []Update{a, nb} {
		if _, err := b.Send(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 * maxCurrentWalk {
		chainCorrect(t, b, "a", fmt.Sprint("c", i))
		if rec.lastCurrent() {
			t.Errorf("correction %d of a, posted after the newer b: told current", i)
		}
	}
}
