package broadcast_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// slowAndFlaky is a channel of two endpoints: "slow" is rate limited for
// an hour (as a 429 with Retry-After: 3600), "flaky" fails once without a
// hint (a 503), then works.
type slowAndFlaky struct {
	mu    sync.Mutex
	calls map[string]int
}

func (*slowAndFlaky) Name() string { return "webhook" }

func (s *slowAndFlaky) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, []string{"slow", "flaky"})
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range f.Todo() {
		switch target := []string{"slow", "flaky"}[i]; {
		case target == "slow":
			s.calls[target]++
			f.Report(i, broadcast.RetryAfter(errors.New("429 Too Many Requests"), time.Hour))
		case s.calls[target] == 0:
			s.calls[target]++
			f.Report(i, errors.New("503 Service Unavailable"))
		default:
			s.calls[target]++
			f.Report(i, nil)
		}
	}
	return broadcast.Receipt{}, f.Err()
}

// One endpoint that asks to wait past what is left of MaxElapsed does not
// keep the channel's other endpoints from their retries: it is held back,
// pending, saying why, while the others are retried at their own pace;
// nothing marks it failed, so a later Send of the update reaches it.
func TestATargetThatAsksToWaitTooLongDoesNotHoldUpTheOthers(t *testing.T) {
	ch := &slowAndFlaky{calls: map[string]int{}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{
		MaxAttempts: 3, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, MaxElapsed: time.Minute}}, ch)
	u := validUpdate()
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err, "slow never got it")
	res := rep.Results[0]
	assert.Equal(t, 2, ch.calls["flaky"], "flaky was retried")
	assert.Equal(t, 1, ch.calls["slow"], "slow was not asked again before its hour")
	assert.Equal(t, []string{"flaky"}, res.Delivered)
	assert.Empty(t, res.Failures)
	require.Len(t, res.Pending, 1)
	assert.Equal(t, "slow", res.Pending[0].Target)
	assert.ErrorContains(t, res.Pending[0].Err, "MaxElapsed")
	assert.ErrorContains(t, res.Err, "gave up")
	assert.False(t, broadcast.IsPermanent(res.Err), "%v", res.Err)

	_, err = b.Send(context.Background(), u)
	require.Error(t, err, "slow still asks to wait")
	assert.Equal(t, 2, ch.calls["slow"], "the later Send tried slow again")
	assert.Equal(t, 2, ch.calls["flaky"], "and not flaky, which has it")
}

// someRefused is a channel of two endpoints, one of which refuses the
// update for good (a 400).
type someRefused struct{}

func (someRefused) Name() string { return "webhook" }

func (someRefused) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, []string{"ok", "refuses"})
	for _, i := range f.Todo() {
		if i == 1 {
			f.Report(i, broadcast.Permanent(errors.New("400 Bad Request")))
			continue
		}
		f.Report(i, nil)
	}
	return broadcast.Receipt{}, f.Err()
}

// A delivery that reached some targets while others failed for good says
// so in its Event, which the Logger logs as a warning: a watcher of events
// or logs learns of the failures the Result reports.
func TestDeliveredEventNamesTheTargetsThatFailed(t *testing.T) {
	var mu sync.Mutex
	var events []broadcast.Event
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &logs, mu: &mu}, nil))
	b := newBroadcaster(t, broadcast.Options{Logger: logger, OnEvent: func(e broadcast.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}}, someRefused{})
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, events)
	last := events[len(events)-1]
	assert.Equal(t, broadcast.EventDelivered, last.Kind)
	require.Error(t, last.Err, "the endpoint that refused")
	assert.ErrorContains(t, last.Err, "refuses")
	assert.ErrorContains(t, last.Err, "400 Bad Request")
	assert.Contains(t, logs.String(), "level=WARN msg=\"broadcast: delivered\"")
}

type syncWriter struct {
	w  *strings.Builder
	mu *sync.Mutex
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// When the channel gives up all the same (the backoff alone runs past what
// is left of MaxElapsed), the target that asked to wait is not failed for
// good: it is pending, as the others are, and a later Send of the update
// reaches it.
func TestATargetThatAsksToWaitTooLongStaysPendingWhenTheChannelGivesUp(t *testing.T) {
	ch := &slowAndFlaky{calls: map[string]int{}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{
		MaxAttempts: 3, InitialInterval: time.Second, MaxInterval: time.Second, MaxElapsed: time.Millisecond}}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	res := rep.Results[0]
	assert.ErrorContains(t, res.Err, "gave up")
	assert.Empty(t, res.Failures, "slow only asked to wait")
	var pending []string
	for _, p := range res.Pending {
		pending = append(pending, p.Target)
	}
	assert.ElementsMatch(t, []string{"slow", "flaky"}, pending)

	_, err = b.Send(context.Background(), u)
	require.Error(t, err, "slow still asks to wait")
	assert.Equal(t, 2, ch.calls["slow"], "the later Send tried slow again")
	assert.Equal(t, 2, ch.calls["flaky"])
}
