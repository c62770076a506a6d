//go:build integration

package dispatch_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// blocking is a channel whose deliveries wait until release is closed,
// or their context ends, which it counts.
type blocking struct {
	entered   chan struct{} // one value per delivery that started
	release   chan struct{}
	cancelled atomic.Int32
	delivered atomic.Int32
}

func newBlocking() *blocking {
	return &blocking{entered: make(chan struct{}, 10), release: make(chan struct{})}
}

func (b *blocking) Name() string { return "x" }

func (b *blocking) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	b.entered <- struct{}{}
	select {
	case <-ctx.Done():
		b.cancelled.Add(1)
		return broadcast.Receipt{}, ctx.Err()
	case <-b.release:
		b.delivered.Add(1)
		return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
	}
}

// Cancelling the context given to Start stops the workers as Stop does:
// the delivery under way finishes, it is not cut short (a post the
// platform took whose answer is lost would be posted again elsewhere).
func TestCancellingStartsContextLetsTheDeliveryUnderWayFinish(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	ch := newBlocking()
	in := newInstance(t, dsn, []broadcast.Channel{ch}, broadcast.Options{AttemptTimeout: time.Minute},
		dispatch.Config{Workers: 2, JobTimeout: 90 * time.Second})
	startCtx, stop := context.WithCancel(context.Background())
	defer stop()
	require.NoError(t, in.d.Start(startCtx))
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	select {
	case <-ch.entered:
	case <-ctx.Done():
		t.Fatal("the delivery did not start")
	}

	stop() // as a program's signal context ends on SIGTERM
	// A delivery cut short by the cancel returns at once; give it the
	// time to, before letting it finish.
	time.Sleep(500 * time.Millisecond)
	close(ch.release)

	require.NoError(t, in.d.Stop(ctx))
	assert.Zero(t, ch.cancelled.Load(), "the delivery under way was not cut short")
	assert.Equal(t, int32(1), ch.delivered.Load())
	rep, _, err := in.d.Report(ctx, id)
	require.NoError(t, err)
	assert.NoError(t, rep.Results[0].Err)
	assert.Equal(t, "post-"+id, rep.Results[0].Receipt.ID)
}

// stubborn is a channel whose deliveries ignore their context: each waits
// until release is closed.
type stubborn struct {
	entered chan struct{} // one value per delivery that started
	release chan struct{}
}

func (s *stubborn) Name() string { return "x" }

func (s *stubborn) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	s.entered <- struct{}{}
	<-s.release
	return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
}

// A Stop that fails (a delivery that ignores its ctx outlasts Stop's ctx,
// then JobTimeout) leaves River stopping. A Start then waits for it to
// stop, and starts the workers again; if its own ctx ends first, it fails
// saying why. Before, such a Start returned nil at once without starting
// any worker (River's own Start does nothing while it stops), the
// wake-ups having ended with the Stop: no job ran on the instance again.
func TestStartAfterAFailedStopStartsTheWorkers(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	ch := &stubborn{entered: make(chan struct{}, 10), release: make(chan struct{})}
	in := newInstance(t, dsn, []broadcast.Channel{ch}, broadcast.Options{},
		dispatch.Config{Workers: 2, JobTimeout: time.Second})
	require.NoError(t, in.d.Start(ctx))
	first, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	select {
	case <-ch.entered:
	case <-ctx.Done():
		t.Fatal("the delivery did not start")
	}

	ended, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, in.d.Stop(ended), "the delivery outlasts Stop's ctx and JobTimeout")

	short, cancelShort := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancelShort()
	err = in.d.Start(short)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, "dispatch: start: the jobs of the last run are still finishing: context deadline exceeded")

	close(ch.release)
	require.NoError(t, in.d.Start(ctx))
	second, err := in.d.Enqueue(ctx, nil, update(2))
	require.NoError(t, err)
	rep, err := in.d.Wait(ctx, second)
	require.NoError(t, err, "the workers run again")
	assert.Equal(t, "post-"+second, rep.Results[0].Receipt.ID)
	rep, err = in.d.Wait(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, "post-"+first, rep.Results[0].Receipt.ID)
}
