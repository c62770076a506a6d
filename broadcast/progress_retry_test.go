package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// burstSpent fans out to its targets under a platform rate limit whose
// burst is spent: each attempt delivers to one more target, and the others
// are refused with 429 and a Retry-After. Synapse's default message limit
// (rc_message: per_second 0.2, burst_count 10) does this to a Matrix
// channel of more than ten rooms once the burst is used up:
// https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html#rc_message
type burstSpent struct {
	targets []string

	mu    sync.Mutex
	sends int
}

func (c *burstSpent) Name() string { return "matrix" }

func (c *burstSpent) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends++
	f := broadcast.NewFanout(m, c.targets)
	for n, i := range f.Todo() {
		if n == 0 {
			f.Report(i, nil)
			continue
		}
		f.Report(i, broadcast.RetryAfter(errors.New("429 M_LIMIT_EXCEEDED"), time.Millisecond))
	}
	return broadcast.Receipt{}, f.Err()
}

func roomNames(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("!room%02d", i))
	}
	return out
}

// A channel reaching new targets on every attempt is not given up after
// MaxAttempts: an attempt that made progress uses none up, and the channel
// goes on until every target has the update (MaxElapsed still bounds it).
func TestRetryGoesOnWhileAttemptsReachNewTargets(t *testing.T) {
	ch := &burstSpent{targets: roomNames(20)}
	b := newBroadcaster(t, broadcast.Options{}, ch) // fast: MaxAttempts 6
	rep, err := b.Send(context.Background(), broadcast.Update{ID: "u1", Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	res := rep.Results[0]
	assert.Len(t, res.Delivered, 20)
	assert.Empty(t, res.Pending)
	assert.Equal(t, 20, res.Attempts)
}

// markAgain marks the same target delivered on every attempt, and fails
// transiently: marking a target again is no progress, and MaxAttempts
// still ends it.
type markAgain struct {
	mu    sync.Mutex
	sends int
}

func (c *markAgain) Name() string { return "again" }

func (c *markAgain) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends++
	_ = m.Ledger.MarkDelivered("a")
	return broadcast.Receipt{}, &broadcast.TargetsError{Total: 2, Pending: []broadcast.TargetFailure{{Target: "b", Err: errFlaky}}}
}

func TestRetryStopsAtMaxAttemptsWithoutNewTargets(t *testing.T) {
	ch := &markAgain{}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	rep, err := b.Send(context.Background(), broadcast.Update{ID: "u1", Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.Error(t, err)
	// The first attempt reached "a" (the first always counts); the next
	// five reached nothing new.
	assert.Equal(t, fast.MaxAttempts, rep.Results[0].Attempts)
	assert.Equal(t, []string{"a"}, rep.Results[0].Delivered)
}

// oneMore fans out and reaches one more target on each attempt; the others
// fail transiently, without a Retry-After.
type oneMore struct{ targets []string }

func (c *oneMore) Name() string { return "rooms" }

func (c *oneMore) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	for n, i := range f.Todo() {
		if n == 0 {
			f.Report(i, nil)
			continue
		}
		f.Report(i, errFlaky)
	}
	return broadcast.Receipt{}, f.Err()
}

// An attempt that reached new targets starts the backoff afresh: the wait
// after it is the initial interval (jitter ±50%), not one doubled by every
// productive retry before it. Without this, ten productive retries under a
// rate limit wait 2⁹ times the initial interval before the eleventh.
func TestRetryAfterProgressWaitsTheInitialInterval(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var delays []time.Duration
	initial := time.Millisecond
	b := newBroadcaster(t, broadcast.Options{
		Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: initial, MaxInterval: time.Minute, MaxElapsed: time.Minute},
		OnEvent: func(e broadcast.Event) {
			if e.Kind != broadcast.EventRetry {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			delays = append(delays, e.Delay)
			if e.Delay > initial*3/2 {
				cancel() // the backoff grew: no need to wait it out
			}
		},
	}, &oneMore{targets: roomNames(10)})
	rep, err := b.Send(ctx, broadcast.Update{ID: "u1", Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	assert.Len(t, rep.Results[0].Delivered, 10)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, delays, 9)
	for i, d := range delays {
		assert.LessOrEqual(t, d, initial*3/2, "wait before attempt %d", i+2)
	}
}

// After a productive attempt the backoff starts afresh, but a Retry-After
// still wins: every wait is at least the platform's.
func TestRetryAfterProgressStillHonoursRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var delays []time.Duration
	b := newBroadcaster(t, broadcast.Options{
		Retry: broadcast.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Millisecond, MaxInterval: time.Minute, MaxElapsed: time.Minute},
		OnEvent: func(e broadcast.Event) {
			if e.Kind == broadcast.EventRetry {
				mu.Lock()
				delays = append(delays, e.Delay)
				mu.Unlock()
			}
		},
	}, &burstSpent{targets: roomNames(5)})
	rep, err := b.Send(context.Background(), broadcast.Update{ID: "u1", Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	assert.Len(t, rep.Results[0].Delivered, 5)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, delays, 4)
	for _, d := range delays {
		assert.GreaterOrEqual(t, d, time.Millisecond) // burstSpent's Retry-After
	}
}
