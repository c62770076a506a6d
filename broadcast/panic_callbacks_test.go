package broadcast_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A panic in Options.OnEvent, the caller's callback, is logged, naming it,
// and the delivery goes on: its outcome is not lost, and the process is
// not taken down from a delivery's goroutine.
func TestOnEventPanicIsLoggedAndDeliveryGoesOn(t *testing.T) {
	var log syncbuf.Buffer
	a, c := &script{name: "a"}, &script{name: "c"}
	b := newBroadcaster(t, broadcast.Options{
		Logger:  slog.New(slog.NewTextHandler(&log, nil)),
		OnEvent: func(broadcast.Event) { panic("metrics: nil map") },
	}, a, c)
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	for _, r := range rep.Results {
		assert.NotZero(t, r.Receipt, r.Channel)
	}
	assert.Contains(t, log.String(), "Options.OnEvent panicked: a string")
}

// A panic in Options.Lock fails that delivery for good, naming Lock, as a
// channel's panic does; the channel is not called without its lock. A
// panic in the unlock function it returned is logged: the delivery was
// made, and its outcome stands.
func TestLockPanicFailsTheDelivery(t *testing.T) {
	a, c := &script{name: "a"}, &script{name: "c"}
	b := newBroadcaster(t, broadcast.Options{Lock: func(context.Context, broadcast.LockKey) (func(), error) {
		panic("lock: nil connection")
	}}, a, c)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	for _, r := range rep.Results {
		assert.ErrorContains(t, r.Err, "Options.Lock panicked: a string", r.Channel)
		assert.True(t, broadcast.IsPermanent(r.Err), r.Channel)
	}
	assert.Zero(t, a.count()+c.count())

	var log syncbuf.Buffer
	b = newBroadcaster(t, broadcast.Options{
		Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Lock: func(context.Context, broadcast.LockKey) (func(), error) {
			return func() { panic("unlock: nil connection") }, nil
		},
	}, a, c)
	_, err = b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.Equal(t, 2, a.count()+c.count())
	assert.Contains(t, log.String(), "Options.Lock's unlock panicked: a string")
}

// panickyStore panics in the method named.
type panickyStore struct {
	*broadcast.MemoryStore
	method string
}

func (s panickyStore) Done(ctx context.Context, u, ch, target string) (bool, string, error) {
	if s.method == "Done" {
		panic("store: nil pool")
	}
	return s.MemoryStore.Done(ctx, u, ch, target)
}

func (s panickyStore) Mark(ctx context.Context, u, ch, target string, failure error) error {
	if s.method == "Mark" {
		panic("store: nil pool")
	}
	return s.MemoryStore.Mark(ctx, u, ch, target, failure)
}

// A panic in a Store method is an error of the deliveries that called it,
// naming the method, as a channel's panic is: before the channel is
// called, the channel is not called blind; after, the delivery stands and
// its error wraps ErrNotRecorded.
func TestStorePanicIsTheDeliverysError(t *testing.T) {
	for _, tc := range []struct {
		method      string
		calls       int
		notRecorded bool
	}{
		{"Done", 0, false},
		{"Mark", 2, true},
	} {
		t.Run(tc.method, func(t *testing.T) {
			a, c := &script{name: "a"}, &script{name: "c"}
			store := panickyStore{broadcast.NewMemoryStore(), tc.method}
			b := newBroadcaster(t, broadcast.Options{Store: store}, a, c)
			rep, err := b.Send(context.Background(), validUpdate())
			require.Error(t, err)
			for _, r := range rep.Results {
				assert.ErrorContains(t, r.Err, "Store."+tc.method+" panicked: a string", r.Channel)
				assert.True(t, broadcast.IsPermanent(r.Err), r.Channel)
				assert.Equal(t, tc.notRecorded, errors.Is(r.Err, broadcast.ErrNotRecorded), r.Channel)
			}
			assert.Equal(t, tc.calls, a.count()+c.count())
		})
	}
}
