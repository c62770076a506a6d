package broadcast

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stallFirst is a channel whose first Send blocks until release is
// closed and then fails transiently, saying it posted nothing (a 429);
// later Sends post.
type stallFirst struct {
	calls       atomic.Int32
	in, release chan struct{}
}

func (s *stallFirst) Name() string { return "x" }

func (s *stallFirst) Send(context.Context, Message) (Receipt, error) {
	if s.calls.Add(1) == 1 {
		close(s.in)
		<-s.release
		return Receipt{}, RetryAfter(errors.New("429 too many requests"), time.Nanosecond)
	}
	return Receipt{ID: "post"}, nil
}

func (s *stallFirst) Retract(context.Context, Receipt) error { return nil }

// yieldedOrHeld reports whether a delivery of update to the channel x
// waits for a Retract that marked its flight to go ahead or give up, or
// none waits any more.
func yieldedOrHeld(b *Broadcaster, update string) bool {
	b.flights.mu.Lock()
	defer b.flights.mu.Unlock()
	fl := b.flights.m[flightKey{update, "x"}]
	return fl == nil || fl.settled != nil || fl.retractions == 0
}

// retractionsWaiting returns how many Retracts wait for the flight of
// update's deliveries to the channel x.
func retractionsWaiting(b *Broadcaster, update string) int {
	b.flights.mu.Lock()
	defer b.flights.mu.Unlock()
	if fl := b.flights.m[flightKey{update, "x"}]; fl != nil {
		return fl.retractions
	}
	return 0
}

// A delivery whose retry, woken by the mark of a Retract waiting for its
// flight, finds the mark, and that Retract, whose context ends then
// (before it got the flight), do not disagree: the delivery said
// "retracted before this channel posted it" while the Retract said
// ErrBusy (nothing retracted), no Store mark kept a later Send from
// posting, and RetractedOn named no channel. The delivery lets the
// Retract have the flight first, and stops only once it went ahead.
func TestRetractGivingUpAsADeliveryFindsItsMark(t *testing.T) {
	ch := &stallFirst{in: make(chan struct{}), release: make(chan struct{})}
	rctx, rcancel := context.WithCancel(context.Background())
	defer rcancel()
	var b *Broadcaster
	var once sync.Once
	onEvent := func(e Event) {
		if e.Kind == EventFailed && errors.Is(e.Err, ErrRetracted) {
			// The delivery stopped for the mark and still holds its
			// flight: the Retract's context ends now.
			once.Do(func() {
				rcancel()
				for retractionsWaiting(b, "u") > 0 {
					runtime.Gosched()
				}
			})
		}
	}
	b, err := New([]Channel{ch}, Options{Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: 1, MaxInterval: 1}, OnEvent: onEvent})
	require.NoError(t, err)
	defer b.Close()
	sent, retracted := sendThenRetract(rctx, b, ch)
	agree(t, b, <-sent, <-retracted)
}

// sendThenRetract starts a Send of the update "u" whose first attempt ch
// stalls, then a Retract of it (with ctx) that waits for the delivery's
// flight, and then lets the attempt end; it returns their errors' channels.
func sendThenRetract(ctx context.Context, b *Broadcaster, ch *stallFirst) (sent, retracted <-chan error) {
	u := Update{ID: "u", IncidentID: "cdn", Title: "CDN errors", Status: StatusInvestigating}
	s, r := make(chan error, 1), make(chan error, 1)
	go func() { _, err := b.Send(context.Background(), u); s <- err }()
	<-ch.in
	go func() { _, err := b.Retract(ctx, "u"); r <- err }()
	for retractionsWaiting(b, "u") == 0 {
		runtime.Gosched()
	}
	close(ch.release)
	return s, r
}

// agree asserts that a Send and a Retract of the update "u" on the
// channel x, stalled and woken as above, agree: the Send stopped for the
// Retract, which went ahead, or it posted and the Retract, given up,
// retracted nothing.
func agree(t *testing.T, b *Broadcaster, sendErr, retractErr error) {
	t.Helper()
	on, err := b.RetractedOn(context.Background(), "u")
	require.NoError(t, err)
	if errors.Is(sendErr, ErrRetracted) {
		assert.NoError(t, retractErr, "the delivery stopped for this Retract")
		assert.Equal(t, []string{"x"}, on)
	} else {
		assert.NoError(t, sendErr)
		assert.ErrorIs(t, retractErr, ErrBusy)
		assert.Empty(t, on)
	}
}

// A delivery that lets a Retract waiting for its flight go ahead (see
// above) goes on when that Retract gives up instead, retracting nothing;
// when the Retract got the flight, it stops. Whichever comes first, the
// two agree.
func TestDeliveryYieldingToARetractThatGivesUp(t *testing.T) {
	ch := &stallFirst{in: make(chan struct{}), release: make(chan struct{})}
	b, err := New([]Channel{ch}, Options{Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: 1, MaxInterval: 1}})
	require.NoError(t, err)
	defer b.Close()
	rctx, rcancel := context.WithCancel(context.Background())
	defer rcancel()
	sent, retracted := sendThenRetract(rctx, b, ch)
	for !yieldedOrHeld(b, "u") {
		runtime.Gosched()
	}
	rcancel()
	agree(t, b, <-sent, <-retracted)
}

// A Retract that got its update's flight, stopping the delivery that
// held it, but whose context then ends while it waits for Options.Lock
// (another instance's attempt under way) retracted nothing: the delivery
// goes on and posts, rather than fail as "retracted before this channel
// posted it" with the Retract's error ErrBusy, nothing in the Store
// keeping a later Send from posting, and RetractedOn naming no channel.
func TestRetractGivingUpOnOptionsLockStopsNothing(t *testing.T) {
	ch := &stallFirst{in: make(chan struct{}), release: make(chan struct{})}
	var locks Locks
	locking := make(chan struct{})
	lock := func(ctx context.Context, k LockKey) (func(), error) {
		if k.UpdateID == "u" && k.IncidentID == "" { // the Retract's
			close(locking)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return locks.Lock(ctx, k)
	}
	b, err := New([]Channel{ch}, Options{Lock: lock, Retry: RetryPolicy{MaxAttempts: 3, InitialInterval: 1, MaxInterval: 1}})
	require.NoError(t, err)
	defer b.Close()
	rctx, rcancel := context.WithCancel(context.Background())
	defer rcancel()
	sent, retracted := sendThenRetract(rctx, b, ch)
	<-locking
	rcancel()
	retractErr := <-retracted
	require.ErrorIs(t, retractErr, ErrBusy)
	agree(t, b, <-sent, retractErr)
}
