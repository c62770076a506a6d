package broadcast_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fast keeps retries quick so the whole suite runs in well under a second.
var fast = broadcast.RetryPolicy{
	MaxAttempts:     6,
	InitialInterval: time.Millisecond,
	MaxInterval:     5 * time.Millisecond,
	MaxElapsed:      10 * time.Second,
}

// script is a channel that answers each attempt from a list of errors
// (nil: success) and records the messages it was given.
type script struct {
	name string
	errs []error

	mu    sync.Mutex
	calls []broadcast.Message
}

func (s *script) Name() string { return s.name }

func (s *script) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, m)
	n := len(s.calls)
	if n <= len(s.errs) && s.errs[n-1] != nil {
		return broadcast.Receipt{}, s.errs[n-1]
	}
	return broadcast.Receipt{ID: fmt.Sprintf("%s-%d", s.name, n), URL: "https://example.com/" + s.name}, nil
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *script) message(i int) broadcast.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[i]
}

func newBroadcaster(t *testing.T, opts broadcast.Options, chs ...broadcast.Channel) *broadcast.Broadcaster {
	t.Helper()
	if opts.Retry == (broadcast.RetryPolicy{}) {
		opts.Retry = fast
	}
	b, err := broadcast.New(chs, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

var errFlaky = errors.New("connection reset")

func TestSendRetries(t *testing.T) {
	tests := []struct {
		name         string
		errs         []error
		wantAttempts int
		wantErr      bool
		permanent    bool
	}{
		{"first try", nil, 1, false, false},
		{"transient twice then success", []error{errFlaky, errFlaky}, 3, false, false},
		{"permanent stops at once", []error{broadcast.Permanent(errors.New("401 unauthorized"))}, 1, true, true},
		{"permanent after a transient", []error{errFlaky, broadcast.Permanent(errors.New("400"))}, 2, true, true},
		{"gives up after MaxAttempts", []error{errFlaky, errFlaky, errFlaky, errFlaky, errFlaky, errFlaky, nil}, 6, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &script{name: "ch", errs: tt.errs}
			b := newBroadcaster(t, broadcast.Options{}, ch)
			rep, err := b.Send(context.Background(), validUpdate())
			require.NotNil(t, rep)
			res := rep.Results[0]
			assert.Equal(t, tt.wantAttempts, res.Attempts)
			assert.Equal(t, tt.wantAttempts, ch.count(), "one channel call per attempt")
			for i := 0; i < ch.count(); i++ {
				assert.Equal(t, i+1, ch.message(i).Attempt)
			}
			if !tt.wantErr {
				require.NoError(t, err)
				assert.NoError(t, res.Err)
				assert.Equal(t, "ch", res.Receipt.Channel, "Broadcaster fills Receipt.Channel")
				assert.False(t, res.Receipt.Time.IsZero(), "Broadcaster fills Receipt.Time")
				return
			}
			require.Error(t, err)
			var de *broadcast.DeliveryError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "ch", de.Channel)
			assert.Equal(t, tt.wantAttempts, de.Attempts)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			assert.Equal(t, res.Err, de.Err)
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	const hint = 60 * time.Millisecond
	ch := &script{name: "ch", errs: []error{broadcast.RetryAfter(errors.New("429 too many requests"), hint)}}
	var mu sync.Mutex
	var events []broadcast.Event
	b := newBroadcaster(t, broadcast.Options{OnEvent: func(e broadcast.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}}, ch)
	start := time.Now()
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Results[0].Attempts)
	// Timers never fire early, so this lower bound holds on any machine.
	assert.GreaterOrEqual(t, time.Since(start), hint)
	mu.Lock()
	defer mu.Unlock()
	var kinds []broadcast.EventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
		if e.Kind == broadcast.EventRetry {
			assert.GreaterOrEqual(t, e.Delay, hint, "the retry waits at least the hint")
			assert.ErrorContains(t, e.Err, "429")
		}
	}
	assert.Equal(t, []broadcast.EventKind{broadcast.EventAttempt, broadcast.EventRetry,
		broadcast.EventAttempt, broadcast.EventDelivered}, kinds)
}

func TestRetryAfterBeyondMaxElapsedGivesUp(t *testing.T) {
	ch := &script{name: "ch", errs: []error{broadcast.RetryAfter(errors.New("429"), time.Hour)}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxElapsed: time.Minute}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.Equal(t, 1, rep.Results[0].Attempts)
	d, ok := broadcast.RetryDelay(rep.Results[0].Err)
	assert.True(t, ok)
	assert.Equal(t, time.Hour, d)
	assert.ErrorContains(t, err, "gave up: the next attempt would start after 1h0m0s, past what is left of RetryPolicy.MaxElapsed")
}

func TestCancelEndsRetryWait(t *testing.T) {
	ch := &script{name: "ch", errs: []error{broadcast.RetryAfter(errors.New("429"), time.Hour)}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := newBroadcaster(t, broadcast.Options{
		Retry: broadcast.RetryPolicy{MaxElapsed: 2 * time.Hour},
		OnEvent: func(e broadcast.Event) {
			if e.Kind == broadcast.EventRetry {
				cancel() // the Broadcaster is now about to wait an hour
			}
		},
	}, ch)
	done := make(chan struct{})
	var rep *broadcast.Report
	var err error
	go func() {
		defer close(done)
		rep, err = b.Send(ctx, validUpdate())
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // hang detector, not a timing assertion
		t.Fatal("Send did not return after its context was cancelled")
	}
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "429", "the last attempt's error is kept")
	assert.Equal(t, 1, rep.Results[0].Attempts)
	assert.Equal(t, 1, ch.count())
}

func TestCancelledBeforeSend(t *testing.T) {
	ch := &script{name: "ch"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := b.Send(ctx, validUpdate())
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, ch.count())
	assert.Equal(t, 0, rep.Results[0].Attempts)
}

func TestCallerContextErrorsAreNotRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("ch", func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
		calls.Add(1)
		cancel()
		<-ctx.Done()
		return broadcast.Receipt{}, ctx.Err()
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	_, err := b.Send(ctx, validUpdate())
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int32(1), calls.Load())
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("slow", func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done() // hang until the attempt times out
			return broadcast.Receipt{}, fmt.Errorf("post: %w", ctx.Err())
		}
		return broadcast.Receipt{ID: "ok"}, nil
	})
	b := newBroadcaster(t, broadcast.Options{AttemptTimeout: 20 * time.Millisecond}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Results[0].Attempts)
	assert.Equal(t, "ok", rep.Results[0].Receipt.ID)
}

func TestAttemptTimeoutReported(t *testing.T) {
	ch := broadcast.ChannelFunc("slow", func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
		<-ctx.Done()
		return broadcast.Receipt{}, ctx.Err()
	})
	b := newBroadcaster(t, broadcast.Options{AttemptTimeout: 5 * time.Millisecond,
		Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.ErrorIs(t, err, broadcast.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not expire")
	assert.ErrorContains(t, err, "attempt timed out after 5ms")
	assert.Equal(t, 2, rep.Results[0].Attempts)
}

func TestMaxElapsedCapsRetrying(t *testing.T) {
	ch := &script{name: "ch", errs: []error{errFlaky, errFlaky, errFlaky, errFlaky, errFlaky, errFlaky}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{
		MaxAttempts: 100, InitialInterval: 30 * time.Millisecond, MaxInterval: 30 * time.Millisecond,
		MaxElapsed: 50 * time.Millisecond,
	}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	// Jittered waits of 15–45 ms within a 50 ms budget: at most 4 attempts fit.
	assert.LessOrEqual(t, rep.Results[0].Attempts, 4)
	assert.GreaterOrEqual(t, rep.Results[0].Attempts, 1)
}

func TestChannelsRunConcurrentlyAndResultsKeepOrder(t *testing.T) {
	const n = 8
	var started sync.WaitGroup
	started.Add(n)
	release := make(chan struct{})
	var chs []broadcast.Channel
	for i := range n {
		chs = append(chs, broadcast.ChannelFunc(fmt.Sprintf("ch%d", i),
			func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
				started.Done()
				select { // every channel must be running before any returns
				case <-release:
				case <-ctx.Done():
					return broadcast.Receipt{}, ctx.Err()
				}
				if i%2 == 1 {
					return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("ch%d refused", i))
				}
				return broadcast.Receipt{ID: fmt.Sprint(i)}, nil
			}))
	}
	go func() { started.Wait(); close(release) }()
	b := newBroadcaster(t, broadcast.Options{}, chs...)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	require.Len(t, rep.Results, n)
	for i, r := range rep.Results {
		assert.Equal(t, fmt.Sprintf("ch%d", i), r.Channel)
		if i%2 == 1 {
			assert.ErrorContains(t, r.Err, fmt.Sprintf("ch%d refused", i))
			assert.ErrorContains(t, err, fmt.Sprintf("channel ch%d failed after 1 attempt:", i))
		} else {
			assert.NoError(t, r.Err)
			assert.Equal(t, fmt.Sprint(i), r.Receipt.ID)
		}
	}
	assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), n/2, "one DeliveryError per failed channel")
}

func TestInvalidUpdateReachesNoChannel(t *testing.T) {
	ch := &script{name: "ch"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	rep, err := b.Send(context.Background(), broadcast.Update{Title: "x"})
	assert.Nil(t, rep)
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, "Status")
	assert.Equal(t, 0, ch.count())
}

func TestSendFillsDefaults(t *testing.T) {
	ch := &script{name: "ch"}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	u := validUpdate()
	rep, err := b.Send(context.Background(), u)
	require.NoError(t, err)
	got := ch.message(0).Update
	assert.Equal(t, u.WithDefaults(got.Time), got)
	assert.False(t, got.Time.IsZero())
	assert.Equal(t, got.ID, rep.UpdateID)
	assert.Equal(t, "elevated-cdn-error-rates", rep.IncidentID)
	assert.NotNil(t, ch.message(0).Ledger)
	assert.True(t, ch.message(0).Thread.IsZero())
	assert.False(t, rep.Finished.Before(rep.Started))
}

func TestPanickingChannelFailsPermanently(t *testing.T) {
	ch := broadcast.ChannelFunc("boom", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		panic("nil map")
	})
	ok := &script{name: "ok"}
	b := newBroadcaster(t, broadcast.Options{}, ch, ok)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(rep.Results[0].Err))
	assert.ErrorContains(t, err, "channel panicked: a string")
	assert.NoError(t, rep.Results[1].Err, "the other channels are unaffected")
}

func TestNew(t *testing.T) {
	a := &script{name: "a"}
	tests := []struct {
		name string
		chs  []broadcast.Channel
		opts broadcast.Options
		want string
		is   error
	}{
		{"no channels", nil, broadcast.Options{}, "broadcast: no channels", broadcast.ErrNoChannels},
		// Both places named: channels built in a loop (one webhook per
		// customer) do not tell which two share it.
		{"duplicate", []broadcast.Channel{a, &script{name: "b"}, &script{name: "a"}}, broadcast.Options{}, `"a": channels[0] and channels[2]`, broadcast.ErrDuplicateChannel},
		{"nil channel", []broadcast.Channel{a, nil}, broadcast.Options{}, "channels[1]: nil", nil},
		{"empty name", []broadcast.Channel{&script{}}, broadcast.Options{}, "channels[0]: empty channel name", nil},
		// A name keys overrides and routes, and labels log records and
		// metrics, which must be UTF-8 (a Prometheus label of it panics).
		{"name not UTF-8", []broadcast.Channel{&script{name: "ops\xff"}}, broadcast.Options{}, `channels[0]: channel name "ops\xff": not valid UTF-8`, nil},
		{"name too long", []broadcast.Channel{&script{name: strings.Repeat("n", 256)}}, broadcast.Options{}, "channels[0]: channel name \"" + strings.Repeat("n", 64) + "\"…: longer than 255 bytes", nil},
		{"name with a control character", []broadcast.Channel{&script{name: "ops\nINFO forged"}}, broadcast.Options{}, `channels[0]: channel name "ops\nINFO forged": holds a control character`, nil},
		// Names are compared exactly: " ops" would look like "ops" in a
		// report and never match an override written "ops".
		{"name with leading space", []broadcast.Channel{&script{name: " ops"}}, broadcast.Options{}, `channels[0]: channel name " ops": leading or trailing white space`, nil},
		{"negative attempts", []broadcast.Channel{a}, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: -1}}, "Options.Retry.MaxAttempts: negative", nil},
		{"negative timeout", []broadcast.Channel{a}, broadcast.Options{AttemptTimeout: -time.Second}, "Options.AttemptTimeout: negative", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := broadcast.New(tt.chs, tt.opts)
			assert.Nil(t, b)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
	b, err := broadcast.New([]broadcast.Channel{a, &script{name: "b"}}, broadcast.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, b.Channels())
}

func TestLoggingAndEvents(t *testing.T) {
	forbidden := broadcast.Permanent(errors.New("403 forbidden"))
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var mu sync.Mutex
	count := map[broadcast.EventKind]int{}
	b := newBroadcaster(t, broadcast.Options{Logger: logger, OnEvent: func(e broadcast.Event) {
		mu.Lock()
		defer mu.Unlock()
		count[e.Kind]++
		assert.Equal(t, "u_e0a8b6d0283ebf2fbfd23a421348d937", e.UpdateID)
		assert.False(t, e.Time.IsZero())
	}},
		&script{name: "flaky", errs: []error{errFlaky}},
		&script{name: "broken", errs: []error{forbidden, forbidden}},
	)
	u := validUpdate()
	_, err := b.Send(context.Background(), u)
	require.Error(t, err)
	_, _ = b.Send(context.Background(), u) // flaky is skipped now; broken fails again
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, map[broadcast.EventKind]int{
		broadcast.EventAttempt: 4, broadcast.EventRetry: 1, broadcast.EventDelivered: 1,
		broadcast.EventFailed: 2, broadcast.EventSkipped: 1,
	}, count)
	log := buf.String()
	for _, want := range []string{
		"level=DEBUG msg=\"broadcast: attempt\" channel=flaky",
		"level=WARN msg=\"broadcast: retry\" channel=flaky",
		"error=\"connection reset\"",
		"level=INFO msg=\"broadcast: delivered\" channel=flaky",
		"level=ERROR msg=\"broadcast: failed\" channel=broken",
		"level=INFO msg=\"broadcast: skipped\" channel=flaky",
	} {
		assert.Contains(t, log, want)
	}
}

type closer struct {
	script
	closed atomic.Int32
}

func (c *closer) Close() error {
	c.closed.Add(1)
	return errors.New("close failed")
}

func TestClose(t *testing.T) {
	c := &closer{script: script{name: "c"}}
	b, err := broadcast.New([]broadcast.Channel{c, &script{name: "plain"}}, broadcast.Options{})
	require.NoError(t, err)
	err = b.Close()
	assert.ErrorContains(t, err, "broadcast: close c: close failed")
	assert.NoError(t, b.Close(), "second Close does nothing")
	assert.Equal(t, int32(1), c.closed.Load())
	report, err := b.Send(context.Background(), validUpdate())
	assert.ErrorIs(t, err, broadcast.ErrClosed)
	assert.Nil(t, report, "a Send that cannot start has no Report, as documented")
	_, err = b.Preview(validUpdate())
	assert.ErrorIs(t, err, broadcast.ErrClosed)
	for _, err := range b.Check(context.Background()) {
		assert.ErrorIs(t, err, broadcast.ErrClosed)
	}
}

// Check after Close calls no channel's Check: the channels are closed.
func TestCheckAfterClose(t *testing.T) {
	c := &checker{script: script{name: "c"}}
	b, err := broadcast.New([]broadcast.Channel{c}, broadcast.Options{})
	require.NoError(t, err)
	assert.Equal(t, []error{nil}, b.Check(context.Background()))
	require.NoError(t, b.Close())
	assert.Equal(t, []error{broadcast.ErrClosed}, b.Check(context.Background()))
	assert.Equal(t, int32(1), c.checks.Load())
}
