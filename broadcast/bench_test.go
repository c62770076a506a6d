package broadcast_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

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
func BenchmarkSend(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("channels=%d", n), func(b *testing.B) {
			chs := make([]broadcast.Channel, n)
			for i := range chs {
				chs[i] = broadcast.ChannelFunc(fmt.Sprintf("ch%d", i), noop)
			}
			newBroadcaster := func() *broadcast.Broadcaster {
				bc, err := broadcast.New(chs, broadcast.Options{})
				if err != nil {
					b.Fatal(err)
				}
				return bc
			}
			bc := newBroadcaster()
			defer func() { bc.Close() }()
			u := validUpdate()
			ids := make([]string, b.N)
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
				u.ID = ids[i]
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
