package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// slowAndFlakier is slowAndFlaky with a "flaky" endpoint that fails
// flakyFails times before it works. With direct set, it keeps its own
// bookkeeping through Ledger.Done, as a channel without a Fanout does:
// a target Done reports done (failure or not) is skipped.
type slowAndFlakier struct {
	flakyFails int
	direct     bool

	mu    sync.Mutex
	calls map[string]int
}

func (*slowAndFlakier) Name() string { return "webhook" }

func (s *slowAndFlakier) outcome(target string) error {
	s.calls[target]++
	switch {
	case target == "slow":
		return broadcast.RetryAfter(errors.New("429 Too Many Requests"), time.Hour)
	case s.calls[target] <= s.flakyFails:
		return errors.New("503 Service Unavailable")
	}
	return nil
}

func (s *slowAndFlakier) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	targets := []string{"slow", "flaky"}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.direct {
		f := broadcast.NewFanout(m, targets)
		for _, i := range f.Todo() {
			f.Report(i, s.outcome(targets[i]))
		}
		return broadcast.Receipt{}, f.Err()
	}
	var pending []broadcast.TargetFailure
	var hint time.Duration
	for _, t := range targets {
		if done, _ := m.Ledger.Done(t); done {
			continue
		}
		err := s.outcome(t)
		if err == nil {
			_ = m.Ledger.MarkDelivered(t)
			continue
		}
		pending = append(pending, broadcast.TargetFailure{Target: t, Err: err})
		if d, ok := broadcast.RetryDelay(err); ok {
			hint = max(hint, d)
		}
	}
	if len(pending) == 0 {
		return broadcast.Receipt{}, nil
	}
	return broadcast.Receipt{}, broadcast.RetryAfter(&broadcast.TargetsError{Total: len(targets), Pending: pending}, hint)
}

var heldPolicy = broadcast.RetryPolicy{MaxAttempts: 5, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, MaxElapsed: time.Minute}

// A target held back stays held through the attempts that follow; its
// error says once why it was held back, not once per attempt.
func TestAHeldTargetIsHeldBackOnce(t *testing.T) {
	for _, direct := range []bool{false} {
		ch := &slowAndFlakier{flakyFails: 3, direct: direct, calls: map[string]int{}}
		b := newBroadcaster(t, broadcast.Options{Retry: heldPolicy}, ch)
		rep, err := b.Send(context.Background(), validUpdate())
		require.Error(t, err)
		res := rep.Results[0]
		assert.Equal(t, 4, ch.calls["flaky"], "direct %v: flaky was retried until it worked", direct)
		assert.Equal(t, 1, ch.calls["slow"], "direct %v", direct)
		require.Len(t, res.Pending, 1, "direct %v: %v", direct, res.Err)
		msg := res.Pending[0].Err.Error()
		assert.Equal(t, 1, strings.Count(msg, "held back"), "direct %v: %s", direct, msg)
		assert.Contains(t, msg, "429 Too Many Requests", "direct %v", direct)
	}
}
