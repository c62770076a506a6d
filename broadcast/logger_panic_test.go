package broadcast_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// panickyHandler is a slog.Handler with a bug: Handle, and Enabled when
// told to, panic.
type panickyHandler struct {
	enabled bool // Enabled panics too
	calls   *atomic.Int32
}

func (h panickyHandler) Enabled(context.Context, slog.Level) bool {
	h.calls.Add(1)
	if h.enabled {
		panic("handler: enabled: nil map")
	}
	return true
}

func (h panickyHandler) Handle(context.Context, slog.Record) error {
	h.calls.Add(1)
	panic("handler: nil map")
}
func (h panickyHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panickyHandler) WithGroup(string) slog.Handler      { return h }

// A panic in Options.Logger's handler loses the record, and the delivery
// goes on, as one in Options.OnEvent does. Before, it took the process
// down from a delivery's goroutine.
func TestLoggerPanicDoesNotStopTheDelivery(t *testing.T) {
	for _, enabled := range []bool{false, true} {
		var calls atomic.Int32
		a, c := &script{name: "a", errs: []error{errFlaky}}, &script{name: "c"}
		var events atomic.Int32
		b := newBroadcaster(t, broadcast.Options{
			Logger:  slog.New(panickyHandler{enabled: enabled, calls: &calls}),
			OnEvent: func(broadcast.Event) { events.Add(1) },
		}, a, c)
		rep, err := b.Send(context.Background(), validUpdate())
		require.NoError(t, err)
		assert.Equal(t, 2, a.count())
		assert.Equal(t, 1, c.count())
		assert.Equal(t, 2, rep.Results[0].Attempts)
		assert.Positive(t, calls.Load(), "the handler was called")
		assert.Positive(t, events.Load(), "OnEvent was called")
	}
}
