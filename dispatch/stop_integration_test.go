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
