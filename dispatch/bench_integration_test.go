//go:build integration

package dispatch_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// benchUpdate is update(n) with an ID unique to this benchmark run.
func benchUpdate(run string, n int) broadcast.Update {
	u := update(n)
	u.ID = fmt.Sprintf("%s-%d", run, n)
	return u
}

// BenchmarkEnqueueToDelivered measures the time from Enqueue to the
// channel's Send, one update at a time, with one and two instances
// working the queue.
func BenchmarkEnqueueToDelivered(b *testing.B) {
	for _, instances := range []int{1, 2} {
		b.Run(fmt.Sprintf("instances=%d", instances), func(b *testing.B) {
			dsn := newSchema(b)
			delivered := make(chan time.Time, 16)
			ch := broadcast.ChannelFunc("fast", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				delivered <- time.Now()
				return broadcast.Receipt{}, nil
			})
			var ins []*instance
			for range instances {
				in := newInstance(b, dsn, []broadcast.Channel{ch}, broadcast.Options{}, dispatch.Config{Workers: 4})
				in.start(b)
				ins = append(ins, in)
			}
			ctx := context.Background()
			run := rand.Text()[:8]
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				_, err := ins[i%instances].d.Enqueue(ctx, nil, benchUpdate(run, i))
				require.NoError(b, err)
				lat = append(lat, (<-delivered).Sub(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// throughputUpdates is the size of one round of BenchmarkThroughput.
const throughputUpdates = 1000

// BenchmarkThroughput delivers 1,000 updates to 3 fast channels, first
// with an in-process Broadcaster (Send from 10 goroutines, over the same
// PostgreSQL Store and Lock), then through dispatch (Enqueue from 10
// goroutines, 30 workers in one instance), and reports both rates, their
// ratio, and the time the 1,000 Enqueue calls took (delivery runs
// meanwhile).
func BenchmarkThroughput(b *testing.B) {
	dsn := newSchema(b)
	var sent atomic.Int64
	var chans []broadcast.Channel
	for c := range 3 {
		chans = append(chans, broadcast.ChannelFunc(fmt.Sprintf("fast-%d", c),
			func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				sent.Add(1)
				return broadcast.Receipt{}, nil
			}))
	}
	in := newInstance(b, dsn, chans, broadcast.Options{}, dispatch.Config{Workers: 30})
	in.start(b)
	ctx := context.Background()
	var inproc, queued, enqueue time.Duration
	b.ResetTimer()
	for range b.N {
		run := rand.Text()[:8]
		start := time.Now()
		parallel(10, throughputUpdates, func(n int) {
			_, err := in.b.Send(ctx, benchUpdate(run+"-send", n))
			require.NoError(b, err)
		})
		inproc += time.Since(start)

		sent.Store(0)
		start = time.Now()
		parallel(10, throughputUpdates, func(n int) {
			_, err := in.d.Enqueue(ctx, nil, benchUpdate(run+"-queue", n))
			require.NoError(b, err)
		})
		enqueue += time.Since(start)
		for sent.Load() < 3*throughputUpdates {
			time.Sleep(time.Millisecond)
		}
		queued += time.Since(start)
	}
	b.StopTimer()
	rate := func(d time.Duration) float64 { return float64(b.N*throughputUpdates) / d.Seconds() }
	b.ReportMetric(rate(inproc), "inprocess-updates/s")
	b.ReportMetric(rate(queued), "dispatch-updates/s")
	b.ReportMetric(rate(queued)/rate(inproc), "ratio")
	b.ReportMetric(enqueue.Seconds()/float64(b.N), "enqueue-s")
}

// parallel runs f(0) … f(n-1) on g goroutines.
func parallel(g, n int, f func(int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
