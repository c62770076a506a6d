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

// A channel that calls Ledger.Done itself, rather than through a Fanout,
// hears of a target held back as done, failed, and skips it: the attempt
// that reaches the others still leaves that target without the update,
// so the channel is not marked delivered, and a later Send reaches it.
func TestAHeldTargetSkippedOnLedgerDoneKeepsTheChannelPending(t *testing.T) {
	ch := &slowAndFlakier{flakyFails: 1, direct: true, calls: map[string]int{}}
	b := newBroadcaster(t, broadcast.Options{Retry: heldPolicy}, ch)
	u := validUpdate()
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err, "slow never got it")
	res := rep.Results[0]
	assert.Equal(t, 1, ch.calls["slow"], "slow was not asked again before its hour")
	assert.Equal(t, 2, ch.calls["flaky"], "flaky was retried")
	assert.False(t, res.Skipped)
	assert.ErrorContains(t, res.Err, "gave up")
	require.Len(t, res.Pending, 1, "%v", res.Err)
	assert.Equal(t, "slow", res.Pending[0].Target)
	assert.Empty(t, res.Failures)

	rep, err = b.Send(context.Background(), u)
	require.Error(t, err, "slow still asks to wait")
	assert.False(t, rep.Results[0].Skipped, "the channel was marked delivered without slow")
	assert.Equal(t, 2, ch.calls["slow"], "the later Send tried slow again")
	assert.Equal(t, 2, ch.calls["flaky"], "and not flaky, which has it")
}

// A target held back stays held through the attempts that follow; its
// error says once why it was held back, not once per attempt.
func TestAHeldTargetIsHeldBackOnce(t *testing.T) {
	for _, direct := range []bool{false, true} {
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

// When the attempts run out with a target held back, the Result lists it
// as pending, even when the channel's own error (it asked Ledger.Done)
// names only the others.
func TestAHeldTargetIsPendingWhenTheAttemptsRunOut(t *testing.T) {
	for _, direct := range []bool{false, true} {
		ch := &slowAndFlakier{flakyFails: 10, direct: direct, calls: map[string]int{}}
		b := newBroadcaster(t, broadcast.Options{Retry: heldPolicy}, ch)
		rep, err := b.Send(context.Background(), validUpdate())
		require.Error(t, err)
		var pending []string
		for _, p := range rep.Results[0].Pending {
			pending = append(pending, p.Target)
		}
		assert.ElementsMatch(t, []string{"flaky", "slow"}, pending, "direct %v", direct)
	}
}
