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

func TestThreadCarriesPreviousReceipt(t *testing.T) {
	x := &script{name: "x"}
	irc := &script{name: "irc"}
	b := newBroadcaster(t, broadcast.Options{}, x, irc)

	first := validUpdate()
	rep1, err := b.Send(context.Background(), first)
	require.NoError(t, err)
	assert.True(t, x.message(0).Thread.IsZero(), "the first update has nothing to thread under")

	second := validUpdate()
	second.Status = broadcast.StatusIdentified
	second.Body = "The cause is a bad configuration push."
	_, err = b.Send(context.Background(), second)
	require.NoError(t, err)
	assert.Equal(t, broadcast.Thread{Root: rep1.Results[0].Receipt, Last: rep1.Results[0].Receipt}, x.message(1).Thread,
		"x threads under its own first post")
	assert.Equal(t, rep1.Results[1].Receipt, irc.message(1).Thread.Last, "each channel gets its own receipt")

	other := validUpdate()
	other.Title = "Another incident"
	_, err = b.Send(context.Background(), other)
	require.NoError(t, err)
	assert.True(t, x.message(2).Thread.IsZero(), "threads never cross incidents")
}

func TestThreadHasRootAndLatest(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	for i, s := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved} {
		u := validUpdate()
		u.Status = s
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		if i > 0 {
			assert.Equal(t, "x-1", x.message(i).Thread.Root.ID, "the root is the first post")
			assert.Equal(t, fmt.Sprintf("x-%d", i), x.message(i).Thread.Last.ID, "the last is the latest post")
		}
	}
}

func TestSameUpdateIsNotSentTwice(t *testing.T) {
	store := broadcast.NewMemoryStore()
	good := &script{name: "good"}
	flaky := &script{name: "flaky", errs: []error{broadcast.Permanent(errors.New("503 twice"))}}
	b := newBroadcaster(t, broadcast.Options{Store: store}, good, flaky)

	_, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)

	// A second Broadcaster over the same Store, as after a restart.
	b2 := newBroadcaster(t, broadcast.Options{Store: store}, good, flaky)
	rep, err := b2.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped)
	assert.Equal(t, 0, rep.Results[0].Attempts)
	assert.NoError(t, rep.Results[0].Err)
	assert.False(t, rep.Results[1].Skipped, "a channel that failed is tried again")
	assert.Equal(t, 1, good.count(), "good was not called again")
	assert.Equal(t, 2, flaky.count())

	rep, err = b2.Send(context.Background(), validUpdate())
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Skipped && rep.Results[1].Skipped)
	assert.Equal(t, 1, good.count())
	assert.Equal(t, 2, flaky.count())

	u := validUpdate()
	u.ID = "explicit-id"
	_, err = b2.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, 2, good.count(), "a new ID is a new update")
}

// fanout delivers to several targets per attempt, as email and webhook
// channels do, failing each target as its script says.
type fanout struct {
	targets []string
	fail    map[string][]error // per target, per visit

	mu     sync.Mutex
	visits map[string]int
	got    []string // targets delivered, in order
}

func (f *fanout) Name() string { return "fanout" }

func (f *fanout) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fo := broadcast.NewFanout(m, f.targets)
	for _, i := range fo.Todo() {
		target := f.targets[i]
		n := f.visits[target]
		f.visits[target]++
		var err error
		if n < len(f.fail[target]) {
			err = f.fail[target][n]
		}
		if err == nil {
			f.got = append(f.got, target)
		}
		fo.Report(i, err)
	}
	return broadcast.Receipt{}, fo.Err()
}

func TestLedgerResendsOnlyToTargetsNotDone(t *testing.T) {
	f := &fanout{
		targets: []string{"a", "b", "c", "d"},
		fail: map[string][]error{
			"b": {errors.New("451 try later"), errors.New("451 try later")},
			"c": {broadcast.Permanent(errors.New("550 no such user"))},
		},
		visits: map[string]int{},
	}
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store}, f)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err, "a target that failed permanently is reported")
	assert.True(t, broadcast.IsPermanent(err))
	assert.EqualError(t, rep.Results[0].Err, "1 target not delivered (0 pending, 1 failed permanently): c: 550 no such user")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, rep.Results[0].Failures, 1)
	assert.Equal(t, "c", rep.Results[0].Failures[0].Target)
	assert.Equal(t, 3, rep.Results[0].Attempts)
	assert.Equal(t, []string{"a", "d", "b"}, f.got, "each good target exactly once")
	assert.Equal(t, map[string]int{"a": 1, "b": 3, "c": 1, "d": 1}, f.visits, "permanent failures are never retried")

	done, failure, err := store.Done(context.Background(), rep.UpdateID, "fanout", "c")
	require.NoError(t, err)
	assert.True(t, done, "a permanent failure is recorded for the target")
	assert.Equal(t, "550 no such user", failure)
	assert.Equal(t, []string{"a", "d", "b"}, rep.Results[0].Delivered)
}

func TestTargetsErrorText(t *testing.T) {
	var fs []broadcast.TargetFailure
	for i := range 5 {
		fs = append(fs, broadcast.TargetFailure{Target: fmt.Sprint(i), Err: fmt.Errorf("550 user %d unknown", i)})
	}
	err := &broadcast.TargetsError{Total: 9, Pending: fs[:1], Failures: fs[1:]}
	assert.EqualError(t, err, "5 of 9 targets not delivered (1 pending, 4 failed permanently): "+
		"0: 550 user 0 unknown; 1: 550 user 1 unknown; 2: 550 user 2 unknown; 3: 550 user 3 unknown; 4: 550 user 4 unknown")
	fs = append(fs, broadcast.TargetFailure{Target: "5", Err: errors.New("x")})
	err = &broadcast.TargetsError{Failures: fs}
	assert.EqualError(t, err, "6 targets not delivered (0 pending, 6 failed permanently): "+
		"0: 550 user 0 unknown; 1: 550 user 1 unknown; 2: 550 user 2 unknown; 3: 550 user 3 unknown; 4: 550 user 4 unknown; and 1 more")
}

func TestConcurrentSendsOfOneUpdateDeliverOnce(t *testing.T) {
	release := make(chan struct{})
	var calls sync.WaitGroup
	n := 0
	var mu sync.Mutex
	ch := broadcast.ChannelFunc("slow", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		mu.Lock()
		n++
		mu.Unlock()
		calls.Done()
		<-release
		return broadcast.Receipt{ID: "1"}, nil
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	calls.Add(1)
	reps := make([]*broadcast.Report, 5)
	var wg sync.WaitGroup
	for i := range reps {
		wg.Go(func() {
			rep, err := b.Send(context.Background(), validUpdate())
			assert.NoError(t, err)
			reps[i] = rep
		})
	}
	calls.Wait() // one delivery is under way; the others wait for it
	close(release)
	wg.Wait()
	assert.Equal(t, 1, n, "delivered once")
	skipped := 0
	for _, rep := range reps {
		if rep.Results[0].Skipped {
			skipped++
		}
	}
	assert.Equal(t, 4, skipped)
}

func TestWaitForConcurrentDeliveryHonoursContext(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	ch := broadcast.ChannelFunc("slow", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		close(started)
		<-release
		return broadcast.Receipt{}, nil
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = b.Send(context.Background(), validUpdate())
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := b.Send(ctx, validUpdate())
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, rep.Results[0].Attempts)
	close(release)
	<-done
}

func TestLedgerTellsEarlierFailuresFromDeliveries(t *testing.T) {
	type seen struct {
		done   bool
		reason string
	}
	var got []map[string]seen
	ch := broadcast.ChannelFunc("fan", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		view := map[string]seen{}
		for _, target := range []string{"ok", "bad", "later"} {
			done, reason := m.Ledger.Done(target)
			view[target] = seen{done: done, reason: reason}
		}
		got = append(got, view)
		if m.Attempt == 1 {
			require.NoError(t, m.Ledger.MarkDelivered("ok"))
			require.NoError(t, m.Ledger.MarkFailed("bad", errors.New("550 no such user")))
			return broadcast.Receipt{}, errors.New("451 later")
		}
		require.NoError(t, m.Ledger.MarkDelivered("later"))
		return broadcast.Receipt{}, nil
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	_, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err, "bad failed permanently")
	require.Len(t, got, 2)
	assert.Equal(t, map[string]seen{
		"ok":    {done: true},
		"bad":   {done: true, reason: "550 no such user"},
		"later": {},
	}, got[1])
}

// When the caller's deadline ends a fan-out, the Result still says which
// targets got the update and the error names those that did not.
func TestDeadlineKeepsPerTargetOutcome(t *testing.T) {
	ch := broadcast.ChannelFunc("hooks", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		require.NoError(t, m.Ledger.MarkDelivered("https://fast.example"))
		<-ctx.Done()
		return broadcast.Receipt{}, fmt.Errorf("1 of 2 endpoints failed: https://slow.example: %w", ctx.Err())
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	rep, err := b.Send(ctx, validUpdate())
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "https://slow.example", "the error must name the endpoint not reached")
	assert.Equal(t, []string{"https://fast.example"}, rep.Results[0].Delivered)
}
