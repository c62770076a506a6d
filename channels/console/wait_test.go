package console_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// stuckWriter blocks every Write until release is closed, as a pipe
// nobody reads does.
type stuckWriter struct {
	writing chan struct{} // receives a value when a Write begins
	release chan struct{}
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	w.writing <- struct{}{}
	<-w.release
	return len(p), nil
}

// probeCtx closes checked the first time Err is called.
type probeCtx struct {
	context.Context
	once    sync.Once
	checked chan struct{}
}

func (c *probeCtx) Err() error {
	c.once.Do(func() { close(c.checked) })
	return c.Context.Err()
}

// A Send waiting for another's stuck Write is a wait its context ends: the
// Broadcaster's attempt timeout (or the caller's cancellation) stops it,
// though the Write under way cannot be interrupted.
func TestSendWaitingForAStuckWriteStopsWithItsContext(t *testing.T) {
	w := &stuckWriter{writing: make(chan struct{}, 1), release: make(chan struct{})}
	ch, err := console.New(console.Config{Writer: w})
	require.NoError(t, err)
	first := make(chan error, 1)
	go func() {
		_, err := ch.Send(context.Background(), broadcast.NewMessage(sample(1)))
		first <- err
	}()
	<-w.writing // the first Send is stuck in its Write
	inner, cancel := context.WithCancel(context.Background())
	ctx := &probeCtx{Context: inner, checked: make(chan struct{})}
	second := make(chan error, 1)
	go func() {
		_, err := ch.Send(ctx, broadcast.NewMessage(sample(2)))
		second <- err
	}()
	<-ctx.checked // past its first check of the context: on its way to wait
	cancel()
	select {
	case err := <-second:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(30 * time.Second): // a guard, not a measurement
		t.Error("the waiting Send did not stop with its context")
	}
	close(w.release)
	require.NoError(t, <-first)
	if t.Failed() {
		<-second
	}
	// The channel still works, and writes the separator before its next
	// message.
	w.release = make(chan struct{})
	close(w.release)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(sample(3)))
	require.NoError(t, err)
}
