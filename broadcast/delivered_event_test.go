package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The delivered Event of a delivery whose record the Store could not write
// says so, as the Result does (ErrNotRecorded): its mark, or a target's.
func TestDeliveredEventSaysNotRecorded(t *testing.T) {
	fanout := broadcast.ChannelFunc("hooks", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			f.Report(i, nil)
		}
		return broadcast.Receipt{}, f.Err()
	})
	for _, tt := range []struct {
		name  string
		store broadcast.Store
	}{
		{"the channel's mark", failingMarks{broadcast.NewMemoryStore()}},
		{"a target's mark", failingMarkOf{broadcast.NewMemoryStore(), "a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var delivered []broadcast.Event
			b := newBroadcaster(t, broadcast.Options{Store: tt.store, OnEvent: func(e broadcast.Event) {
				mu.Lock()
				defer mu.Unlock()
				if e.Kind == broadcast.EventDelivered {
					delivered = append(delivered, e)
				}
			}}, fanout)
			rep, err := b.Send(context.Background(), validUpdate())
			require.ErrorIs(t, err, broadcast.ErrNotRecorded)
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, delivered, 1)
			assert.ErrorIs(t, delivered[0].Err, broadcast.ErrNotRecorded)
			assert.Equal(t, rep.Results[0].Err, delivered[0].Err, "the Event says what the Result says")
		})
	}
}

// The failed Event of a delivery that reached a target whose mark the
// Store could not write, and not the others, says so too, as the Result
// does.
func TestFailedEventSaysNotRecorded(t *testing.T) {
	ch := broadcast.ChannelFunc("hooks", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, []string{"a", "b"})
		for _, i := range f.Todo() {
			if i == 0 {
				f.Report(i, nil)
			} else {
				f.Report(i, errors.New("503"))
			}
		}
		return broadcast.Receipt{}, f.Err()
	})
	var mu sync.Mutex
	var failed []broadcast.Event
	b := newBroadcaster(t, broadcast.Options{Store: failingMarkOf{broadcast.NewMemoryStore(), "a"},
		Retry: broadcast.RetryPolicy{MaxAttempts: 1}, OnEvent: func(e broadcast.Event) {
			mu.Lock()
			defer mu.Unlock()
			if e.Kind == broadcast.EventFailed {
				failed = append(failed, e)
			}
		}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, failed, 1)
	assert.ErrorIs(t, failed[0].Err, broadcast.ErrNotRecorded)
	assert.Equal(t, rep.Results[0].Err, failed[0].Err, "the Event says what the Result says")
}
