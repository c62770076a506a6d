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
	"github.com/outagecast/outagecast/broadcast/storetest"
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
	assert.Equal(t, rep1.Results[0].Receipt, x.message(1).Thread, "x threads under its own first post")
	assert.Equal(t, rep1.Results[1].Receipt, irc.message(1).Thread, "each channel gets its own receipt")

	other := validUpdate()
	other.Title = "Another incident"
	_, err = b.Send(context.Background(), other)
	require.NoError(t, err)
	assert.True(t, x.message(2).Thread.IsZero(), "threads never cross incidents")
}

func TestThreadUsesLatestReceiptOnly(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	for i, s := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved} {
		u := validUpdate()
		u.Status = s
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
		if i > 0 {
			assert.Equal(t, fmt.Sprintf("x-%d", i), x.message(i).Thread.ID)
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
	var transient error
	for _, target := range f.targets {
		if m.Ledger.Done(target) {
			continue
		}
		n := f.visits[target]
		f.visits[target]++
		if n < len(f.fail[target]) && f.fail[target][n] != nil {
			err := f.fail[target][n]
			if broadcast.IsPermanent(err) {
				if merr := m.Ledger.MarkFailed(target, err); merr != nil {
					return broadcast.Receipt{}, merr
				}
				continue
			}
			transient = err
			continue
		}
		f.got = append(f.got, target)
		if err := m.Ledger.MarkDelivered(target); err != nil {
			return broadcast.Receipt{}, err
		}
	}
	return broadcast.Receipt{}, transient
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
	assert.EqualError(t, rep.Results[0].Err, "1 target failed permanently: 550 no such user")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, rep.Results[0].Failures, 1)
	assert.Equal(t, "c", rep.Results[0].Failures[0].Target)
	assert.Equal(t, 3, rep.Results[0].Attempts)
	assert.Equal(t, []string{"a", "d", "b"}, f.got, "each good target exactly once")
	assert.Equal(t, map[string]int{"a": 1, "b": 3, "c": 1, "d": 1}, f.visits, "permanent failures are never retried")

	done, err := store.Done(context.Background(), rep.UpdateID, "fanout", "c")
	require.NoError(t, err)
	assert.True(t, done, "a permanent failure is recorded for the target")
}

// failingStore is a Store whose every call fails, as a broken disk would.
type failingStore struct{}

var errDisk = errors.New("disk full")

func (failingStore) LastReceipt(context.Context, string, string) (broadcast.Receipt, bool, error) {
	return broadcast.Receipt{}, false, errDisk
}
func (failingStore) SaveReceipt(context.Context, string, broadcast.Receipt) error { return errDisk }
func (failingStore) Done(context.Context, string, string, string) (bool, error) {
	return false, errDisk
}
func (failingStore) Mark(context.Context, string, string, string, error) error { return errDisk }

func TestBrokenStoreStillDelivers(t *testing.T) {
	ch := &script{name: "ch"}
	b := newBroadcaster(t, broadcast.Options{Store: failingStore{}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.NoError(t, err, "a delivery is not undone by a store that cannot record it")
	assert.Equal(t, 1, rep.Results[0].Attempts)
}

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) broadcast.Store { return broadcast.NewMemoryStore() })
}

func TestTargetsErrorText(t *testing.T) {
	var fs []broadcast.TargetFailure
	for i := range 5 {
		fs = append(fs, broadcast.TargetFailure{Target: fmt.Sprint(i), Err: fmt.Errorf("550 user %d unknown", i)})
	}
	err := &broadcast.TargetsError{Failures: fs}
	assert.EqualError(t, err, "5 targets failed permanently: 550 user 0 unknown; 550 user 1 unknown; 550 user 2 unknown; and 2 more")
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

func TestFailureLedgerTellsEarlierFailuresFromDeliveries(t *testing.T) {
	type seen struct {
		done, failed bool
		reason       string
	}
	var got []map[string]seen
	ch := broadcast.ChannelFunc("fan", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		fl, ok := m.Ledger.(broadcast.FailureLedger)
		require.True(t, ok, "a MemoryStore's Ledger reports failures")
		view := map[string]seen{}
		for _, target := range []string{"ok", "bad", "later"} {
			reason, failed := fl.Failure(target)
			view[target] = seen{done: fl.Done(target), failed: failed, reason: reason}
		}
		got = append(got, view)
		if m.Attempt == 1 {
			require.NoError(t, fl.MarkDelivered("ok"))
			require.NoError(t, fl.MarkFailed("bad", errors.New("550 no such user")))
			return broadcast.Receipt{}, errors.New("451 later")
		}
		require.NoError(t, fl.MarkDelivered("later"))
		return broadcast.Receipt{}, nil
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	_, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err, "bad failed permanently")
	require.Len(t, got, 2)
	assert.Equal(t, map[string]seen{
		"ok":    {done: true},
		"bad":   {done: true, failed: true, reason: "550 no such user"},
		"later": {},
	}, got[1])
}

func TestMemoryStoreFailure(t *testing.T) {
	ctx := context.Background()
	s := broadcast.NewMemoryStore()
	require.NoError(t, s.Mark(ctx, "u", "c", "a", nil))
	require.NoError(t, s.Mark(ctx, "u", "c", "b", errors.New("gone")))
	for target, want := range map[string]string{"a": "", "b": "gone", "x": ""} {
		reason, failed, err := s.Failure(ctx, "u", "c", target)
		require.NoError(t, err)
		assert.Equal(t, want, reason, target)
		assert.Equal(t, want != "", failed, target)
	}
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
