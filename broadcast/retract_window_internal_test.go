package broadcast

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// hookedStore calls onDone, once armed, at the first Done of a channel's
// own mark of update on channel.
type hookedStore struct {
	*MemoryStore
	update, channel string
	armed           atomic.Bool
	onDone          func()
}

func (s *hookedStore) Done(ctx context.Context, u, ch, target string) (bool, string, error) {
	if u == s.update && ch == s.channel && target == "" && s.armed.CompareAndSwap(true, false) {
		s.onDone()
	}
	return s.MemoryStore.Done(ctx, u, ch, target)
}

// waiting reports whether a delivery of update to channel waits for the
// flight of another (a Retract holds it).
func (f *flights) waiting(update, channel string) bool {
	f.mu.Lock()
	fl := f.m[flightKey{update, channel}]
	f.mu.Unlock()
	if fl == nil {
		return false
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return fl.release != nil
}

// A Send of an update that starts while a Retract of it looks for the
// channel's post either finds it retracted, or posts before the Retract
// looks, which then deletes the post: never a post left out there with the
// Retract reporting the channel Skipped.
func TestSendDuringRetractIsNotLeftPosted(t *testing.T) {
	a := &counted{name: "a"}
	c := &counted{name: "c", fail: 1}
	s := &hookedStore{MemoryStore: NewMemoryStore(), update: "race", channel: "c"}
	b, err := New([]Channel{a, c}, Options{Store: s, Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	u := retractTestUpdate("race")
	if _, err := b.Send(ctx, u); err == nil {
		t.Fatal("c's first attempt fails: want an error")
	}

	var again *Report
	sent := make(chan struct{})
	s.onDone = func() {
		// The Retract is about to mark c: a Send of the update starts now.
		go func() {
			defer close(sent)
			again, _ = b.Send(ctx, u)
		}()
		for {
			if sends, _, _ := c.counts(); sends > 1 || b.flights.waiting("race", "c") {
				return
			}
			runtime.Gosched()
		}
	}
	s.armed.Store(true)
	ret, err := b.Retract(ctx, "race")
	if err != nil {
		// c's first attempt failed with its outcome unknown: when the
		// Send found the update retracted, that is what c's Result says.
		if ret == nil || ret.Results[0].Err != nil || !strings.Contains(fmt.Sprint(ret.Results[1].Err), "outcome unknown") {
			t.Fatalf("Retract: %v", err)
		}
	}
	<-sent
	if _, posts, retracts := c.counts(); posts != retracts {
		t.Fatalf("c posted the update %d times and Retract deleted %d of its posts", posts, retracts)
	}
	if err := again.Results[1].Err; err == nil || !strings.Contains(err.Error(), "retracted") {
		t.Errorf("the Send after the Retract on c: %v, want it retracted", err)
	}
}

// gate is a Retractor whose Sends wait for open.
type gate struct {
	counted
	entered chan struct{} // closed by the first Send
	open    chan struct{}
	once    sync.Once
}

func (g *gate) Send(ctx context.Context, m Message) (Receipt, error) {
	g.once.Do(func() { close(g.entered) })
	<-g.open
	return g.counted.Send(ctx, m)
}

// A second Send of an update, waiting for the first's delivery while a
// Retract stops it, finds the update delivered: it is Skipped, as a Send
// after the retraction is, not failed as if the update had been retracted
// before the channel posted it.
func TestWaitingSendOfARetractedPostIsSkipped(t *testing.T) {
	g := &gate{counted: counted{name: "chat"}, entered: make(chan struct{}), open: make(chan struct{})}
	b, err := New([]Channel{g}, Options{Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	u := retractTestUpdate("twice")
	var wg sync.WaitGroup
	var first, second *Report
	wg.Go(func() { first, _ = b.Send(ctx, u) })
	<-g.entered
	wg.Go(func() { second, _ = b.Send(ctx, u) })
	for !b.flights.waiting("twice", "chat") {
		runtime.Gosched()
	}
	wg.Go(func() {
		if _, err := b.Retract(ctx, "twice"); err != nil {
			t.Errorf("Retract: %v", err)
		}
	})
	for !b.flights.retracting("twice", "chat") {
		runtime.Gosched()
	}
	close(g.open)
	wg.Wait()
	if first.Results[0].Err != nil {
		t.Fatalf("first Send: %v", first.Results[0].Err)
	}
	if r := second.Results[0]; r.Err != nil || !r.Skipped {
		t.Errorf("second Send: Skipped %v, error %v; want Skipped", r.Skipped, r.Err)
	}
	if _, posts, retracts := g.counts(); posts != 1 || retracts != 1 {
		t.Errorf("%d posts, %d deleted; want the one post deleted", posts, retracts)
	}
}
