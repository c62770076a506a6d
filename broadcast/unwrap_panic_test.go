package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// panickyWrapper wraps a channel with an Unwrap that panics once armed (a
// wrapper with a bug: a nil field it dereferences).
type panickyWrapper struct {
	broadcast.Channel
	armed *atomic.Bool
}

func (w panickyWrapper) Unwrap() broadcast.Channel {
	if w.armed.Load() {
		panic("wrapper: nil inner channel")
	}
	return w.Channel
}

// A wrapper whose Unwrap panics is refused by New, naming the channel; one
// that panics later only loses the optional interfaces below it (As finds
// none there), and no call panics. Before, New took it, and the first Send
// crashed the process from a delivery's goroutine.
func TestUnwrapPanic(t *testing.T) {
	var armed atomic.Bool
	armed.Store(true)
	ed := &editable{script: script{name: "x"}}
	_, err := broadcast.New([]broadcast.Channel{&script{name: "a"}, panickyWrapper{ed, &armed}}, broadcast.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channels[1]: its Unwrap panicked: a string")

	armed.Store(false)
	a := &script{name: "a"}
	b := newBroadcaster(t, broadcast.Options{}, a, panickyWrapper{ed, &armed})
	armed.Store(true)
	_, ok := broadcast.As[broadcast.Editor](panickyWrapper{ed, &armed})
	assert.False(t, ok, "As past a panicking Unwrap")
	u := validUpdate()
	u.ID = "u1"
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, 1, a.count())
	assert.Equal(t, 1, ed.count())
	_, err = b.Retract(context.Background(), "u1")
	assert.ErrorIs(t, err, broadcast.ErrNotSupported)
	assert.Len(t, b.Check(context.Background()), 2)
	_, err = b.Preview(u)
	assert.NoError(t, err)
}
