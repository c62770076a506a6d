package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

func noop(context.Context, broadcast.Message) (broadcast.Receipt, error) {
	return broadcast.Receipt{ID: "1"}, nil
}

// BenchmarkSend measures the Broadcaster's own cost: validation, defaults,
// store bookkeeping, fan-out and the report, with channels that do nothing.
// Each iteration sends a new update (a new ID), as a real caller does. The
// MemoryStore starts afresh every 1,000 updates, outside the timing: a
// store holding hundreds of thousands of updates (as b.N would make it)
// measures the garbage collector scanning it, not Send.
//
// "store=none" is the same with a Store that does nothing: the
// Broadcaster's own cost, without the Store's. "timed" sends updates
// given a Time of their own, which record their first Send alike.
func BenchmarkSend(b *testing.B) {
	for _, c := range []struct {
		name  string
		n     int
		store func() broadcast.Store // nil: the default MemoryStore
		timed bool
	}{
		{"channels=1", 1, nil, false},
		{"channels=10", 10, nil, false},
		{"channels=10,timed", 10, nil, true},
		{"channels=10,store=none", 10, func() broadcast.Store { return nothingStore{} }, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			chs := make([]broadcast.Channel, c.n)
			for i := range chs {
				chs[i] = broadcast.ChannelFunc(fmt.Sprintf("ch%d", i), noop)
			}
			newBroadcaster := func() *broadcast.Broadcaster {
				var opts broadcast.Options
				if c.store != nil {
					opts.Store = c.store()
				}
				bc, err := broadcast.New(chs, opts)
				if err != nil {
					b.Fatal(err)
				}
				return bc
			}
			bc := newBroadcaster()
			defer func() { bc.Close() }()
			u := validUpdate()
			start := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
			ids := make([]string, 1000)
			for i := range ids {
				ids[i] = fmt.Sprintf("update-%d", i)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i > 0 && i%1000 == 0 {
					b.StopTimer()
					bc.Close()
					bc = newBroadcaster()
					b.StartTimer()
				}
				u.ID = ids[i%len(ids)]
				if c.timed { // each newer than the one before, as an incident's are
					u.Time = start.Add(time.Duration(i%len(ids)) * time.Second)
				}
				if _, err := bc.Send(ctx, u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFloor is what BenchmarkSend is compared with: ten goroutines
// calling a no-op function under a WaitGroup, the least a concurrent
// fan-out to ten channels can cost.
func BenchmarkFloor(b *testing.B) {
	ctx := context.Background()
	m := broadcast.Message{}
	b.ReportAllocs()
	for b.Loop() {
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() { _, _ = noop(ctx, m) })
		}
		wg.Wait()
	}
}

// BenchmarkStoreFloor is the least a Send to ten channels can cost while it
// keeps the Store's bookkeeping that the contract asks of every delivery,
// with nothing else of the Broadcaster's: per channel a goroutine that reads
// its mark and its thread, calls a no-op function, and saves its receipt
// and its mark, on a MemoryStore that starts afresh every 1,000 updates as
// in BenchmarkSend. Between BenchmarkFloor and BenchmarkSend, it shows how
// much of Send's cost the Store calls alone make.
func BenchmarkStoreFloor(b *testing.B) {
	ctx := context.Background()
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("ch%d", i)
	}
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("update-%d", i)
	}
	s := broadcast.NewMemoryStore()
	m := broadcast.Message{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%1000 == 0 {
			b.StopTimer()
			s = broadcast.NewMemoryStore()
			b.StartTimer()
		}
		id := ids[i%len(ids)]
		var wg sync.WaitGroup
		for _, name := range names {
			wg.Go(func() {
				if done, _, _ := s.Done(ctx, id, name, ""); done {
					return
				}
				_, _ = s.Thread(ctx, "inc", name)
				r, _ := noop(ctx, m)
				r.Channel, r.Time = name, time.Now()
				_ = s.SaveReceipt(ctx, "inc", id, r)
				_ = s.Mark(ctx, id, name, "", nil)
			})
		}
		wg.Wait()
	}
}

// nothingStore is a Store that remembers nothing and never fails: what
// Send costs without any Store work.
type nothingStore struct{}

func (nothingStore) Thread(context.Context, string, string) (broadcast.Thread, error) {
	return broadcast.Thread{}, nil
}

func (nothingStore) SaveReceipt(context.Context, string, string, broadcast.Receipt) error { return nil }

func (nothingStore) Receipt(context.Context, string, string) (broadcast.Receipt, bool, error) {
	return broadcast.Receipt{}, false, nil
}

func (nothingStore) Done(context.Context, string, string, string) (bool, string, error) {
	return false, "", nil
}

func (nothingStore) Mark(context.Context, string, string, string, error) error { return nil }
