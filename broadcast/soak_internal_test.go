package broadcast

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakChannel posts, edits and deletes in memory, fails every seventh
// attempt transiently and refuses every thirteenth with a rate limit, as a
// platform having a bad day does.
type soakChannel struct {
	name  string
	calls atomic.Int64
}

func (c *soakChannel) Name() string { return c.name }

func (c *soakChannel) Send(_ context.Context, m Message) (Receipt, error) {
	switch n := c.calls.Add(1); {
	case n%13 == 0:
		return Receipt{}, RetryAfter(errors.New("rate limited"), time.Microsecond)
	case n%7 == 0:
		return Receipt{}, errors.New("unavailable")
	}
	return Receipt{ID: fmt.Sprintf("%s-%s", c.name, m.Update.ID)}, nil
}

func (c *soakChannel) Edit(_ context.Context, _ Message, prev Receipt) (Receipt, error) {
	return prev, nil
}

func (c *soakChannel) Retract(context.Context, Receipt) error { return nil }

// A long-running Broadcaster keeps per-incident and per-update state only
// while a delivery is under way: after thousands of updates of a thousand
// incidents, with corrections, retractions, transient failures and rate
// limits, its flight and newest tables are empty and its goroutines are
// back to where they were.
func TestSoakTablesEmptyAfterward(t *testing.T) {
	before := runtime.NumGoroutine()
	chans := []Channel{&soakChannel{name: "a"}, &soakChannel{name: "b"}, &soakChannel{name: "c"}}
	b, err := New(chans, Options{Retry: RetryPolicy{MaxAttempts: 4, InitialInterval: time.Microsecond,
		MaxInterval: time.Microsecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const incidents, updates = 1000, 3000
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				u := Update{ID: fmt.Sprintf("u%d", i), IncidentID: fmt.Sprintf("inc%d", i%incidents),
					Title: "Elevated errors", Status: StatusInvestigating, Time: base.Add(time.Duration(i) * time.Second)}
				if _, err := b.Send(ctx, u); err != nil && !errors.Is(err, ErrNotRecorded) {
					var de *DeliveryError
					if !errors.As(err, &de) {
						t.Errorf("send %s: %v", u.ID, err)
					}
				}
				switch i % 10 {
				case 3:
					c := u
					c.ID, c.Body = u.ID+"-fix", "corrected"
					_, _ = b.Correct(ctx, u.ID, c)
				case 7:
					_, _ = b.Retract(ctx, u.ID)
				}
			}
		})
	}
	for i := range updates {
		work <- i
	}
	close(work)
	wg.Wait()
	b.flights.mu.Lock()
	flights := len(b.flights.m)
	b.flights.mu.Unlock()
	b.newest.mu.Lock()
	newest := len(b.newest.m)
	b.newest.mu.Unlock()
	if flights != 0 || newest != 0 {
		t.Errorf("after %d updates: %d flights and %d newest entries left, want none", updates, flights, newest)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// Goroutines of the runtime and the test framework may come and go:
	// a leak of one per update or incident would show as thousands.
	if after := runtime.NumGoroutine(); after > before+5 {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}

// memoryEntries counts what s keeps: threads, updates' entries and marks.
func memoryEntries(s *MemoryStore) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.threads) + len(s.marks)
	for _, head := range s.updates {
		for p := head; p != nil; p = p.next {
			n++
		}
	}
	return n
}

// A MemoryStore that a long-running program prunes now and then keeps
// what was written since the cutoff, not everything since it started:
// after the first thousand updates, pruning what came before each
// thousand keeps it, and the heap, from growing with the next thousands.
func TestSoakMemoryStorePruneBounds(t *testing.T) {
	s := NewMemoryStore()
	b, err := New([]Channel{&soakChannel{name: "a"}, &soakChannel{name: "b"}},
		Options{Store: s, Retry: RetryPolicy{MaxAttempts: 4, InitialInterval: time.Microsecond, MaxInterval: time.Microsecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	var peak int
	var heap uint64
	for round := range 5 {
		cutoff := time.Now()
		for i := range 1000 {
			id := round*1000 + i
			u := Update{ID: fmt.Sprintf("u%d", id), IncidentID: fmt.Sprintf("inc%d", id%300),
				Title: "Elevated errors", Status: StatusInvestigating}
			_, _ = b.Send(ctx, u)
			if i%10 == 3 {
				_, _ = b.Retract(ctx, u.ID)
			}
		}
		if _, err := s.Prune(ctx, cutoff); err != nil {
			t.Fatal(err)
		}
		n := memoryEntries(s)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if round == 1 {
			peak, heap = n, ms.HeapAlloc
		}
		if round > 1 && n > peak*3/2 {
			t.Fatalf("round %d: %d entries kept, %d after round 1: the store grows with every round", round, n, peak)
		}
		if round > 1 && ms.HeapAlloc > 2*heap {
			t.Fatalf("round %d: heap %d bytes, %d after round 1", round, ms.HeapAlloc, heap)
		}
	}
}
