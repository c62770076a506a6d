package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A newer update of an incident sent while an older one's attempt is under
// way on the same channel waits for that attempt: it is posted after the
// older one, replying to it, and the thread's latest post is the newer
// one's, so that an update between the two, sent later, is superseded.
func TestNewerUpdateWaitsForAnOlderAttempt(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var order []string
	var replyTo = map[string]string{}
	var n atomic.Int32
	olderIn, olderGo := make(chan struct{}), make(chan struct{})
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Update.ID == "older" {
			close(olderIn)
			<-olderGo // the platform is slow this time
		}
		mu.Lock()
		defer mu.Unlock()
		order = append(order, m.Update.ID)
		replyTo[m.Update.ID] = m.Thread.Last.ID
		return broadcast.Receipt{ID: fmt.Sprint("post-", n.Add(1))}, nil
	})
	store := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{Store: store}, ch)
	older, newer := validUpdate(), validUpdate()
	older.ID, older.IncidentID, older.Time = "older", "inc", t0
	newer.ID, newer.IncidentID, newer.Time, newer.Status = "newer", "inc", t0.Add(time.Hour), broadcast.StatusResolved

	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := b.Send(context.Background(), older)
		assert.NoError(t, err)
	})
	<-olderIn
	sent := make(chan *broadcast.Report)
	go func() {
		rep, err := b.Send(context.Background(), newer)
		assert.NoError(t, err)
		sent <- rep
	}()
	var rep *broadcast.Report
	select {
	case rep = <-sent:
		t.Error("the newer update was sent while the older one's attempt was under way")
	case <-time.After(50 * time.Millisecond):
	}
	close(olderGo)
	wg.Wait()
	if rep == nil {
		rep = <-sent
	}
	assert.False(t, rep.Results[0].Superseded)

	assert.Equal(t, []string{"older", "newer"}, order)
	assert.Equal(t, "post-1", replyTo["newer"], "the newer update replies to the older one")
	th, err := store.Thread(context.Background(), "inc", "x")
	require.NoError(t, err)
	assert.Equal(t, "newer", th.Last.UpdateID)
	assert.Equal(t, "older", th.Root.UpdateID)

	mid := validUpdate()
	mid.ID, mid.IncidentID, mid.Time, mid.Status = "mid", "inc", t0.Add(30*time.Minute), broadcast.StatusIdentified
	rep, err = b.Send(context.Background(), mid)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded)
	assert.Equal(t, []string{"older", "newer"}, order)
}

// A delivery waiting for another attempt of its incident stops when its
// context ends, without an attempt.
func TestWaitForAnotherAttemptEndsWithTheContext(t *testing.T) {
	in, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		calls.Add(1)
		if m.Update.ID == "first" {
			close(in)
			<-release
		}
		return broadcast.Receipt{ID: m.Update.ID}, nil
	})
	b := newBroadcaster(t, broadcast.Options{}, ch)
	first, second := validUpdate(), validUpdate()
	first.ID, first.IncidentID = "first", "inc"
	second.ID, second.IncidentID = "second", "inc"
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := b.Send(context.Background(), first)
		assert.NoError(t, err)
	})
	<-in
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rep, err := b.Send(ctx, second)
	// A Job's attempt waits alike, and says the channel was not tried.
	jobs, jerr := b.Jobs(broadcast.JobSend, second, "")
	require.NoError(t, jerr)
	jctx, jcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer jcancel()
	res := b.RunJob(jctx, jobs[0], 1)
	close(release)
	wg.Wait()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, broadcast.ErrBusy)
	if assert.NotNil(t, rep) {
		assert.Zero(t, rep.Results[0].Attempts)
	}
	assert.ErrorIs(t, res.Err, broadcast.ErrBusy)
	assert.ErrorIs(t, res.Err, context.DeadlineExceeded)
	assert.False(t, broadcast.IsPermanent(res.Err))
	assert.EqualValues(t, 1, calls.Load())
}

// slowRetractor's Retract of the post hang waits for out.
type slowRetractor struct {
	broadcast.Channel
	hang    string
	in, out chan struct{}
}

func (s *slowRetractor) Retract(_ context.Context, prev broadcast.Receipt) error {
	if prev.ID == s.hang {
		close(s.in)
		<-s.out
	}
	return nil
}

// Retractions take no turn: one that hangs on a platform does not hold up
// another of a different incident on the same channel.
func TestRetractionsDoNotWaitForEachOther(t *testing.T) {
	base := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
	})
	ch := &slowRetractor{Channel: base, hang: "post-a", in: make(chan struct{}), out: make(chan struct{})}
	b := newBroadcaster(t, broadcast.Options{}, ch)
	a, c := validUpdate(), validUpdate()
	a.ID, a.IncidentID = "a", "inc-1"
	c.ID, c.IncidentID = "c", "inc-2"
	for _, u := range []broadcast.Update{a, c} {
		_, err := b.Send(context.Background(), u)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := b.Retract(context.Background(), "a")
		assert.NoError(t, err)
	})
	<-ch.in
	// Waiting for a's retraction would end with the context, and fail.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := b.Retract(ctx, "c")
	close(ch.out)
	wg.Wait()
	assert.NoError(t, err)
}

// ErrBusy says the channel was not tried because a wait for it ended with
// the context: not a Lock that failed for a reason of its own as the
// context ended, and not a delivery whose earlier attempt called the
// channel.
func TestBusyOnlyForWaitsBeforeTheChannel(t *testing.T) {
	t.Run("a Lock's own error", func(t *testing.T) {
		ch := broadcast.ChannelFunc("x", noop)
		lock := func(ctx context.Context, _ broadcast.LockKey) (func(), error) {
			<-ctx.Done()
			return nil, errors.New("db: permission denied for function pg_advisory_xact_lock")
		}
		b := newBroadcaster(t, broadcast.Options{Lock: lock}, ch)
		jobs, err := b.Jobs(broadcast.JobSend, validUpdate(), "")
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		res := b.RunJob(ctx, jobs[0], 1)
		assert.ErrorContains(t, res.Err, "permission denied")
		assert.NotErrorIs(t, res.Err, broadcast.ErrBusy)
	})
	t.Run("after the channel was called", func(t *testing.T) {
		in, release := make(chan struct{}), make(chan struct{})
		var oldCalls atomic.Int32
		ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			if m.Update.ID == "old" {
				oldCalls.Add(1)
				return broadcast.Receipt{}, errors.New("503")
			}
			close(in)
			<-release
			return broadcast.Receipt{ID: "p2"}, nil
		})
		retried := make(chan struct{}, 1)
		var retrying atomic.Bool
		// The old update's retry takes the shared lock only once the newer
		// one holds the incident's turn, and then waits for that turn.
		lock := func(ctx context.Context, key broadcast.LockKey) (func(), error) {
			if retrying.Load() && strings.Contains(key.UpdateID, "old") {
				select {
				case <-in:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			return func() {}, nil
		}
		b := newBroadcaster(t, broadcast.Options{
			Lock:  lock,
			Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
			OnEvent: func(e broadcast.Event) {
				if e.Kind == broadcast.EventRetry && e.UpdateID == "old" {
					retrying.Store(true)
					select {
					case retried <- struct{}{}:
					default:
					}
				}
			},
		}, ch)
		old, newer := validUpdate(), validUpdate()
		t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		old.ID, old.IncidentID, old.Time = "old", "inc", t0
		newer.ID, newer.IncidentID, newer.Time = "newer", "inc", t0.Add(time.Minute)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var rep *broadcast.Report
		wg.Go(func() { rep, _ = b.Send(ctx, old) })
		<-retried // the old update's first attempt called the channel
		wg.Go(func() {
			_, err := b.Send(context.Background(), newer)
			assert.NoError(t, err)
		})
		<-in                              // the newer update holds the incident's turn
		time.Sleep(20 * time.Millisecond) // the old one's retry, meanwhile, waits for it
		cancel()
		close(release)
		wg.Wait()
		require.EqualValues(t, 1, oldCalls.Load())
		assert.ErrorIs(t, rep.Results[0].Err, context.Canceled)
		assert.NotErrorIs(t, rep.Results[0].Err, broadcast.ErrBusy, "the channel was tried")
	})
}

// An update sent again without a Time of its own, to retry the channel
// that missed it, is the update it was: it keeps the Time of its first
// delivery, so that on that channel it is not posted after a newer update
// of the incident that went out in between.
func TestResentUpdateKeepsItsTime(t *testing.T) {
	var mu sync.Mutex
	var posted []string
	var down atomic.Bool
	record := func(name string) func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			if name == "flaky" && down.Load() {
				return broadcast.Receipt{}, errFlaky
			}
			mu.Lock()
			defer mu.Unlock()
			posted = append(posted, name+":"+string(m.Update.Status))
			return broadcast.Receipt{ID: fmt.Sprint(len(posted))}, nil
		}
	}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}},
		broadcast.ChannelFunc("steady", record("steady")), broadcast.ChannelFunc("flaky", record("flaky")))
	investigating := validUpdate() // no Time: Send takes the time it runs
	resolved := validUpdate()
	resolved.Status, resolved.Body = broadcast.StatusResolved, "Error rates are back to normal."

	down.Store(true)
	first, err := b.Send(context.Background(), investigating)
	require.Error(t, err, "flaky missed it")
	down.Store(false)
	_, err = b.Send(context.Background(), resolved)
	require.NoError(t, err)

	again, err := b.Send(context.Background(), investigating) // the operator retries the channel that missed it
	require.NoError(t, err)
	assert.Equal(t, first.UpdateID, again.UpdateID)
	assert.True(t, again.Results[1].Superseded, "flaky: the resolved update is newer")
	assert.True(t, again.Results[0].Skipped, "steady had it")
	// The channels post concurrently: only each channel's own order is fixed.
	sort.Strings(posted)
	assert.Equal(t, []string{"flaky:resolved", "steady:investigating", "steady:resolved"}, posted,
		"flaky never posted the investigating update after the resolved one")
}

// The Time a Send gives an update without one is recorded before its first
// attempt: another instance sending the update again while the first Send
// still runs (the other Alertmanager of a pair) finds it, and does not post
// the update after a newer one that went out in between.
func TestResendDuringTheFirstSendKeepsItsTime(t *testing.T) {
	store := broadcast.NewMemoryStore()
	shared := sharedLock() // Options.Lock shared by the instances, as pgstore's is
	// By update only: with the incident's lock, the resolved update's
	// attempt would wait for the first Send's (see
	// TestInstancesPostAnIncidentsUpdatesInOrder); this is about the Time
	// the resend takes, in a Lock that does not take the incident's.
	lock := func(ctx context.Context, k broadcast.LockKey) (func(), error) {
		k.IncidentID = ""
		return shared(ctx, k)
	}
	var mu sync.Mutex
	var posted []string
	inFirst, failFirst := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Update.Status == broadcast.StatusInvestigating && calls.Add(1) == 1 {
			close(inFirst)
			<-failFirst // the platform is slow, then fails
			return broadcast.Receipt{}, errFlaky
		}
		mu.Lock()
		defer mu.Unlock()
		posted = append(posted, string(m.Update.Status))
		return broadcast.Receipt{ID: fmt.Sprint(len(posted))}, nil
	})
	instance := func() *broadcast.Broadcaster {
		return newBroadcaster(t, broadcast.Options{Store: store, Lock: lock, Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	}
	investigating, resolved := validUpdate(), validUpdate() // no Time: each takes its Send's
	resolved.Status, resolved.Body = broadcast.StatusResolved, "Error rates are back to normal."

	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := instance().Send(context.Background(), investigating)
		assert.Error(t, err)
	})
	<-inFirst
	_, err := instance().Send(context.Background(), resolved)
	require.NoError(t, err)
	again := make(chan *broadcast.Report)
	go func() {
		rep, err := instance().Send(context.Background(), investigating) // waits for the first Send's attempt
		assert.NoError(t, err)
		again <- rep
	}()
	close(failFirst)
	wg.Wait()
	rep := <-again
	assert.True(t, rep.Results[0].Superseded, "the resolved update is newer")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"resolved"}, posted)
}

// firstReads is a Store whose first two reads of the record of the Time an
// update was first sent with wait for each other, so that two first Sends
// of an update both find none, and which counts that record's writes.
type firstReads struct {
	*broadcast.MemoryStore
	reads, writes atomic.Int32
	both          sync.WaitGroup
}

// sentRecord tells the record of an update's first Time from a channel's
// receipt: a channel name no Channel can have (see broadcast.Send).
func sentRecord(channel string) bool { return strings.HasPrefix(channel, "\x00") }

func (s *firstReads) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	if sentRecord(channel) && s.reads.Add(1) <= 2 {
		s.both.Done()
		s.both.Wait()
	}
	return s.MemoryStore.Receipt(ctx, updateID, channel)
}

func (s *firstReads) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if sentRecord(r.Channel) {
		s.writes.Add(1)
	}
	return s.MemoryStore.SaveReceipt(ctx, incidentID, updateID, r)
}

// Two first Sends of an update at the same moment, in one Broadcaster or
// on two instances sharing a Store and its Lock, agree on the Time it was
// first sent with: it is recorded once, and the post carries it.
func TestConcurrentFirstSendsAgreeOnTheTime(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprint("instances=", map[bool]int{false: 1, true: 2}[shared]), func(t *testing.T) {
			store := &firstReads{MemoryStore: broadcast.NewMemoryStore()}
			store.both.Add(2)
			lock := sharedLock() // Options.Lock shared by the instances, as pgstore's is
			var posted atomic.Value
			ch := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
				posted.Store(m.Update.Time)
				return broadcast.Receipt{ID: "1"}, nil
			})
			opts := broadcast.Options{Store: store, Lock: lock}
			b := []*broadcast.Broadcaster{newBroadcaster(t, opts, ch)}
			if shared {
				b = append(b, newBroadcaster(t, opts, ch))
			} else {
				b = append(b, b[0])
			}
			u := validUpdate() // no Time: each Send takes its own, unless one was recorded
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Go(func() {
					_, err := b[i].Send(context.Background(), u)
					assert.NoError(t, err)
				})
			}
			wg.Wait()
			first, ok, err := b[0].SentTime(context.Background(), u.WithDefaults(time.Time{}).ID)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, posted.Load(), first, "the post's Time is the one recorded")
			assert.Equal(t, int32(1), store.writes.Load(), "recorded once")
		})
	}
}

// sharedLock returns an Options.Lock for Broadcasters standing for
// instances that share a Store, as pgstore's Lock is shared: the
// incident's lock (when the key names one) first, then the corrected
// update's (when it names one), then the update's.
func sharedLock() func(ctx context.Context, key broadcast.LockKey) (func(), error) {
	var locks sync.Map
	lock := func(k string) func() {
		m, _ := locks.LoadOrStore(k, &sync.Mutex{})
		m.(*sync.Mutex).Lock()
		return m.(*sync.Mutex).Unlock
	}
	return func(_ context.Context, key broadcast.LockKey) (func(), error) {
		incident := func() {}
		if key.IncidentID != "" {
			incident = lock("incident\x00" + key.IncidentID + "\x00" + key.Channel)
		}
		post := func() {}
		if key.Post != "" {
			post = lock("post\x00" + key.Post + "\x00" + key.Channel)
		}
		update := lock("update\x00" + key.UpdateID + "\x00" + key.Channel)
		return func() { update(); post(); incident() }, nil
	}
}

// unreadableStore is a MemoryStore whose receipts cannot be read.
type unreadableStore struct{ *broadcast.MemoryStore }

func (unreadableStore) Receipt(context.Context, string, string) (broadcast.Receipt, bool, error) {
	return broadcast.Receipt{}, false, errors.New("connection refused")
}

// SentTime tells "never sent" from "cannot tell": a Store that cannot be
// read, or a closed Broadcaster, is an error, not an update never sent.
func TestSentTimeSaysWhenItCannotTell(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x", noop)},
		broadcast.Options{Store: unreadableStore{broadcast.NewMemoryStore()}})
	require.NoError(t, err)
	_, ok, err := b.SentTime(context.Background(), "u1")
	assert.False(t, ok)
	assert.ErrorContains(t, err, "connection refused")
	require.NoError(t, b.Close())
	_, _, err = b.SentTime(context.Background(), "u1")
	assert.ErrorIs(t, err, broadcast.ErrClosed)

	fresh := newBroadcaster(t, broadcast.Options{}, broadcast.ChannelFunc("x", noop))
	_, ok, err = fresh.SentTime(context.Background(), "never")
	assert.False(t, ok)
	assert.NoError(t, err, "never sent is no error")
}
