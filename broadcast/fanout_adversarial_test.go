package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// mixedFanout is a channel with many targets whose outcome, per target,
// follows a script by the number of the Send call (1-based, across
// Sends): a missing entry is delivered. It counts the posts each target
// got.
type mixedFanout struct {
	name    string
	targets []string
	script  func(call int, target string) error
	panicAt func(call int, i int) bool // panic before target i on this call

	mu    sync.Mutex
	calls int
	posts map[string]int
}

func (c *mixedFanout) Name() string { return c.name }

func (c *mixedFanout) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	c.calls++
	call := c.calls
	c.mu.Unlock()
	f := broadcast.NewFanout(m, c.targets)
	for _, i := range f.Todo() {
		if c.panicAt != nil && c.panicAt(call, i) {
			panic("boom")
		}
		t := c.targets[i]
		var err error
		if c.script != nil {
			err = c.script(call, t)
		}
		if err == nil {
			c.mu.Lock()
			if c.posts == nil {
				c.posts = map[string]int{}
			}
			c.posts[t]++
			c.mu.Unlock()
		}
		f.Report(i, err)
	}
	return broadcast.Receipt{ID: fmt.Sprint(call)}, f.Err()
}

func (c *mixedFanout) postsOf() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.posts {
		out[k] = v
	}
	return out
}

func targetNames(list []broadcast.TargetFailure) []string {
	var out []string
	for _, f := range list {
		out = append(out, f.Target)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// events records every event.
type allEvents struct {
	mu sync.Mutex
	ev []broadcast.Event
}

// watched returns a Broadcaster of chs with opts whose Events the
// allEvents returned records.
func watched(t *testing.T, opts broadcast.Options, chs ...broadcast.Channel) (*broadcast.Broadcaster, *allEvents) {
	t.Helper()
	ev := new(allEvents)
	opts.OnEvent = ev.on
	return newBroadcaster(t, opts, chs...), ev
}

func (e *allEvents) on(ev broadcast.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ev = append(e.ev, ev)
}

func (e *allEvents) finals(channel, update string) []broadcast.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []broadcast.Event
	for _, ev := range e.ev {
		if ev.Channel != channel || ev.UpdateID != update {
			continue
		}
		switch ev.Kind {
		case broadcast.EventDelivered, broadcast.EventFailed, broadcast.EventSkipped,
			broadcast.EventSuperseded, broadcast.EventNotSelected:
			out = append(out, ev)
		}
	}
	return out
}

var (
	errRefusedT = broadcast.Permanent(errors.New("550 no such user"))
	errLaterT   = errors.New("451 try later")
	errLimitedT = broadcast.RetryAfter(errors.New("429 slow down"), 2*time.Millisecond)
	errUnknownT = fmt.Errorf("post: %w", context.DeadlineExceeded)
)

func TestFanoutMixedOutcomesAcrossAttemptsAndSends(t *testing.T) {
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c", "d", "e", "f"}}
	ch.script = func(call int, t string) error {
		switch {
		case t == "b": // refused for good on every call
			return errRefusedT
		case t == "c" && call == 1:
			return errLaterT
		case t == "d" && call <= 2:
			return errLimitedT
		case t == "e" && call == 1:
			return errUnknownT
		}
		return nil
	}
	b, ev := watched(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 3, res.Attempts)
	assert.Equal(t, []string{"a", "c", "d", "e", "f"}, sorted(res.Delivered))
	assert.Equal(t, []string{"b"}, targetNames(res.Failures))
	assert.Empty(t, res.Pending)
	assert.Empty(t, res.SupersededTargets)
	assert.False(t, res.Skipped)
	assert.True(t, broadcast.IsPermanent(res.Err))
	assert.Positive(t, res.Duration)
	assert.Equal(t, map[string]int{"a": 1, "c": 1, "d": 1, "e": 1, "f": 1}, ch.postsOf())
	fin := ev.finals("mail", "u1")
	require.Len(t, fin, 1)
	assert.Equal(t, broadcast.EventDelivered, fin[0].Kind)

	// The same update again: only b is tried again.
	rep, err = b.Send(context.Background(), u)
	require.Error(t, err)
	res = rep.Results[0]
	t.Logf("second: %+v", res)
	assert.Equal(t, map[string]int{"a": 1, "c": 1, "d": 1, "e": 1, "f": 1}, ch.postsOf())
	assert.Equal(t, []string{"b"}, targetNames(res.Failures))
	assert.Empty(t, res.Delivered)
	assert.Len(t, ev.finals("mail", "u1"), 2)
}

// A channel that panics after posting to some targets keeps those marked:
// the same update again posts to the rest only.
func TestFanoutPanicAfterSomeTargets(t *testing.T) {
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
	ch.panicAt = func(call, i int) bool { return call == 1 && i == 2 }
	b, ev := watched(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	res := rep.Results[0]
	t.Logf("first: %+v", res)
	assert.Equal(t, []string{"a", "b"}, sorted(res.Delivered))
	assert.Equal(t, 1, res.Attempts)
	require.Len(t, ev.finals("mail", "u1"), 1)
	assert.Equal(t, broadcast.EventFailed, ev.finals("mail", "u1")[0].Kind)
	rep, err = b.Send(context.Background(), u)
	require.NoError(t, err)
	res = rep.Results[0]
	t.Logf("second: %+v", res)
	assert.Equal(t, []string{"c"}, res.Delivered)
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
}

// markFailing fails every write of the mark of target bad.
type markFailing struct {
	*broadcast.MemoryStore
	bad string
}

func (s *markFailing) Mark(ctx context.Context, update, channel, target string, failure error) error {
	if target == s.bad {
		return errors.New("store: disk full")
	}
	return s.MemoryStore.Mark(ctx, update, channel, target, failure)
}

// A target whose mark cannot be written is not posted to again in the
// Send, while the others pending are retried; the error says
// ErrNotRecorded.
func TestFanoutMarkNotWritten(t *testing.T) {
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
	ch.script = func(call int, t string) error {
		if t == "c" && call == 1 {
			return errLaterT
		}
		return nil
	}
	b, ev := watched(t, broadcast.Options{Store: &markFailing{MemoryStore: broadcast.NewMemoryStore(), bad: "b"}}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(context.Background(), u)
	require.ErrorIs(t, err, broadcast.ErrNotRecorded)
	res := rep.Results[0]
	t.Logf("%+v", res)
	assert.Equal(t, 2, res.Attempts)
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
	assert.Equal(t, []string{"a", "b", "c"}, sorted(res.Delivered))
	assert.Empty(t, res.Pending)
	require.Len(t, ev.finals("mail", "u1"), 1)
}

// A newer update of the incident delivered to some targets first: the
// older one goes to the others only, and lists those in SupersededTargets.
func TestFanoutNewerReachedSomeFirst(t *testing.T) {
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
	var ev allEvents
	st := broadcast.NewMemoryStore()
	b := newBroadcaster(t, broadcast.Options{OnEvent: ev.on, Store: st}, ch)
	older := validUpdate()
	older.ID, older.IncidentID = "old", "inc"
	older.Time = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	newer := older
	newer.ID, newer.Time = "new", older.Time.Add(time.Minute)
	// The newer one reaches a and b; c fails for a while.
	ch.script = func(call int, t string) error {
		if call <= 6 && t == "c" {
			return errLaterT
		}
		return nil
	}
	_, err := b.Send(context.Background(), newer)
	require.Error(t, err)
	rep, err := b.Send(context.Background(), older)
	t.Logf("%+v %v", rep.Results[0], err)
	res := rep.Results[0]
	if res.Superseded {
		assert.NoError(t, err)
		return
	}
	assert.Equal(t, []string{"a", "b"}, sorted(res.SupersededTargets))
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
	require.Len(t, ev.finals("mail", "old"), 1)
}

// orderedFanout records, per target, the updates it got, in order.
type orderedFanout struct {
	targets []string
	fail    func(id, target string, attempt int) error

	mu  sync.Mutex
	got map[string][]string
}

func (c *orderedFanout) Name() string { return "mail" }

func (c *orderedFanout) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	for _, i := range f.Todo() {
		t := c.targets[i]
		if err := c.fail(m.Update.ID, t, m.Attempt); err != nil {
			f.Report(i, err)
			continue
		}
		c.mu.Lock()
		if c.got == nil {
			c.got = map[string][]string{}
		}
		c.got[t] = append(c.got[t], m.Update.ID)
		c.mu.Unlock()
		f.Report(i, nil)
	}
	return broadcast.Receipt{}, f.Err()
}

// Two updates of an incident sent at once to a channel with many targets
// failing in mixed ways: no target gets the older one after the newer,
// none gets one twice, and each Send ends with one final event.
func TestFanoutConcurrentOlderAndNewer(t *testing.T) {
	targets := []string{"a", "b", "c", "d", "e"}
	ch := &orderedFanout{targets: targets}
	ch.fail = func(id, t string, attempt int) error {
		switch {
		case t == "b" && id == "new" && attempt == 1:
			return errLaterT
		case t == "c" && attempt <= 2:
			return errLimitedT
		case t == "d" && id == "old":
			return errRefusedT
		case t == "e" && attempt == 1:
			return errUnknownT
		}
		return nil
	}
	b, ev := watched(t, broadcast.Options{}, ch)
	older := validUpdate()
	older.ID, older.IncidentID = "old", "inc"
	older.Time = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	newer := older
	newer.ID, newer.Time = "new", older.Time.Add(time.Minute)
	var wg sync.WaitGroup
	reps := make([]*broadcast.Report, 2)
	for i, u := range []broadcast.Update{older, newer} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], _ = b.Send(context.Background(), u)
		}()
	}
	wg.Wait()
	for target, ids := range ch.got {
		seen := map[string]bool{}
		for _, id := range ids {
			assert.False(t, seen[id], "%s got %s twice: %v", target, id, ids)
			seen[id] = true
			if id == "old" {
				assert.False(t, seen["new"], "%s got old after new: %v", target, ids)
			}
		}
	}
	for i, id := range []string{"old", "new"} {
		res := reps[i].Results[0]
		assert.Len(t, ev.finals("mail", id), 1, id)
		for _, target := range res.Delivered {
			assert.Contains(t, ch.got[target], id)
		}
		for _, target := range res.SupersededTargets {
			assert.NotContains(t, ch.got[target], id)
			assert.NotContains(t, res.Delivered, target)
		}
	}
}

// A Send whose ctx ends while its fan-out is under way keeps the targets
// reached, lists the others as pending, and ends with one EventFailed.
func TestFanoutContextEndsMidAttempt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	targets := []string{"a", "b", "c"}
	ch := &orderedFanout{targets: targets}
	ch.fail = func(id, t string, attempt int) error {
		if t == "b" {
			cancel()
			return fmt.Errorf("post: %w", context.Canceled)
		}
		return nil
	}
	b, ev := watched(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(ctx, u)
	require.ErrorIs(t, err, context.Canceled)
	res := rep.Results[0]
	t.Logf("%+v", res)
	assert.Equal(t, 1, res.Attempts)
	assert.ElementsMatch(t, []string{"a", "c"}, res.Delivered)
	assert.Equal(t, []string{"b"}, targetNames(res.Pending))
	fin := ev.finals("mail", "u1")
	require.Len(t, fin, 1)
	assert.Equal(t, broadcast.EventFailed, fin[0].Kind)
}

// ctx ending in the wait before a retry: the pending targets are listed,
// the reached ones kept, and one EventFailed ends the delivery.
func TestFanoutContextEndsInTheWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := &orderedFanout{targets: []string{"a", "b", "c"}}
	ch.fail = func(id, t string, attempt int) error {
		if t == "b" {
			return broadcast.RetryAfter(errors.New("429"), time.Hour)
		}
		if t == "c" {
			return errLaterT
		}
		return nil
	}
	var ev allEvents
	on := func(e broadcast.Event) {
		ev.on(e)
		if e.Kind == broadcast.EventRetry {
			cancel()
		}
	}
	b := newBroadcaster(t, broadcast.Options{OnEvent: on, Retry: broadcast.RetryPolicy{MaxAttempts: 5, InitialInterval: time.Hour, MaxInterval: time.Hour, MaxElapsed: 3 * time.Hour}}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(ctx, u)
	require.ErrorIs(t, err, context.Canceled)
	res := rep.Results[0]
	t.Logf("%+v", res)
	assert.Equal(t, 1, res.Attempts)
	assert.Equal(t, []string{"a"}, res.Delivered)
	assert.Equal(t, []string{"b", "c"}, targetNames(res.Pending))
	fin := ev.finals("mail", "u1")
	require.Len(t, fin, 1)
	assert.Equal(t, broadcast.EventFailed, fin[0].Kind)
}

// gateFanout blocks its first call until released.
type gateFanout struct {
	orderedFanout
	entered, release chan struct{}
	once             sync.Once
}

func (g *gateFanout) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	first := false
	g.once.Do(func() { first = true })
	if first {
		close(g.entered)
		<-g.release
	}
	return g.orderedFanout.Send(ctx, m)
}

// An update whose ctx ends while it waits for the attempt of another
// update of its incident makes no attempt and ends with one EventFailed.
func TestFanoutContextEndsWaitingForTheTurn(t *testing.T) {
	g := &gateFanout{entered: make(chan struct{}), release: make(chan struct{})}
	g.targets = []string{"a", "b"}
	g.fail = func(string, string, int) error { return nil }
	b, ev := watched(t, broadcast.Options{}, g)
	first := validUpdate()
	first.ID, first.IncidentID = "one", "inc"
	first.Time = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	second := first
	second.ID, second.Time = "two", first.Time.Add(time.Minute)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = b.Send(context.Background(), first)
	}()
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	ev2 := make(chan struct{})
	go func() {
		defer close(ev2)
		rep, err := b.Send(ctx, second)
		assert.ErrorIs(t, err, context.Canceled)
		res := rep.Results[0]
		t.Logf("%+v", res)
		assert.Equal(t, 0, res.Attempts)
		assert.Empty(t, res.Delivered)
	}()
	cancel()
	<-ev2
	close(g.release)
	<-done
	fin := ev.finals("mail", "two")
	require.Len(t, fin, 1)
	assert.Equal(t, broadcast.EventFailed, fin[0].Kind)
	assert.Len(t, ev.finals("mail", "one"), 1)
}

// The same update sent twice at once to a channel with many targets
// failing in mixed ways: no target gets it twice, and each Send ends
// with one final event.
func TestFanoutSameUpdateTwiceAtOnce(t *testing.T) {
	targets := []string{"a", "b", "c", "d", "e"}
	ch := &orderedFanout{targets: targets}
	ch.fail = func(id, t string, attempt int) error {
		switch {
		case t == "b":
			return errRefusedT
		case t == "c" && attempt <= 2:
			return errLimitedT
		case t == "e" && attempt == 1:
			return errUnknownT
		}
		return nil
	}
	b, ev := watched(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "u1"
	var wg sync.WaitGroup
	reps := make([]*broadcast.Report, 2)
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], _ = b.Send(context.Background(), u)
		}()
	}
	wg.Wait()
	for target, ids := range ch.got {
		assert.Len(t, ids, 1, target)
	}
	assert.NotContains(t, ch.got, "b")
	assert.Len(t, ev.finals("mail", "u1"), 2)
	var delivered []string
	for _, rep := range reps {
		delivered = append(delivered, rep.Results[0].Delivered...)
	}
	assert.Equal(t, []string{"a", "c", "d", "e"}, sorted(delivered))
}

// A Job's runs: a target refused in an earlier run is not tried again and
// is listed in Failures; the Result's error says so.
func TestFanoutJobRuns(t *testing.T) {
	ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
	ch.script = func(call int, t string) error {
		switch {
		case t == "b":
			return errRefusedT
		case t == "c" && call == 1:
			return errLaterT
		}
		return nil
	}
	b, ev := watched(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "u1"
	jobs, err := b.Jobs(broadcast.JobSend, u, "")
	require.NoError(t, err)
	res := b.RunJob(context.Background(), jobs[0], 1)
	require.Error(t, res.Err)
	assert.False(t, broadcast.IsPermanent(res.Err))
	assert.Equal(t, []string{"a"}, res.Delivered)
	assert.Equal(t, []string{"b"}, targetNames(res.Failures))
	assert.Equal(t, []string{"c"}, targetNames(res.Pending))
	res = b.RunJob(context.Background(), jobs[0], 2)
	t.Logf("%+v", res)
	assert.Equal(t, []string{"c"}, res.Delivered)
	assert.Equal(t, []string{"b"}, targetNames(res.Failures))
	assert.True(t, broadcast.IsPermanent(res.Err))
	assert.Equal(t, map[string]int{"a": 1, "c": 1}, ch.postsOf())
	assert.Len(t, ev.finals("mail", "u1"), 1)
}

// cancelAt cancels the Send's ctx at its k-th call of the Store.
type cancelAt struct {
	*broadcast.MemoryStore
	mu     sync.Mutex
	n, k   int
	cancel context.CancelFunc
}

func (s *cancelAt) tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n++; s.n == s.k {
		s.cancel()
	}
}

func (s *cancelAt) Thread(ctx context.Context, incident, channel string) (broadcast.Thread, error) {
	s.tick()
	return s.MemoryStore.Thread(ctx, incident, channel)
}

func (s *cancelAt) SaveReceipt(ctx context.Context, incident, update string, r broadcast.Receipt) error {
	s.tick()
	return s.MemoryStore.SaveReceipt(ctx, incident, update, r)
}

func (s *cancelAt) Receipt(ctx context.Context, update, channel string) (broadcast.Receipt, bool, error) {
	s.tick()
	return s.MemoryStore.Receipt(ctx, update, channel)
}

func (s *cancelAt) Done(ctx context.Context, update, channel, target string) (bool, string, error) {
	s.tick()
	return s.MemoryStore.Done(ctx, update, channel, target)
}

func (s *cancelAt) Mark(ctx context.Context, update, channel, target string, failure error) error {
	s.tick()
	return s.MemoryStore.Mark(ctx, update, channel, target, failure)
}

// ctx ending at each step of a fan-out's Send: one final event, no
// target posted twice, and the same update sent again reaches every
// target the first did not.
func TestFanoutContextEndsAtEachStep(t *testing.T) {
	for k := 1; k <= 80; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
			ch.script = func(call int, t string) error {
				if t == "c" && call == 1 {
					return errLaterT
				}
				return nil
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st := &cancelAt{MemoryStore: broadcast.NewMemoryStore(), k: k, cancel: cancel}
			b, ev := watched(t, broadcast.Options{Store: st}, ch, &script{name: "x"})
			u := validUpdate()
			u.ID = "u1"
			rep, err := b.Send(ctx, u)
			require.NotNil(t, rep)
			for _, res := range rep.Results {
				require.Len(t, ev.finals(res.Channel, "u1"), 1, "%s: %+v", res.Channel, res)
				if res.Err != nil {
					var de *broadcast.DeliveryError
					require.ErrorAs(t, err, &de)
				}
			}
			for target, n := range ch.postsOf() {
				assert.Equal(t, 1, n, target)
			}
			rep, err = b.Send(context.Background(), u)
			require.NoError(t, err, "%+v", rep.Results)
			assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, ch.postsOf())
		})
	}
}

// failAt fails the k-th call of the Store.
type failAt struct {
	*broadcast.MemoryStore
	mu   sync.Mutex
	n, k int
	what string
}

var errFailAt = errors.New("store: connection reset")

func (s *failAt) fail(what string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.n == s.k {
		s.what = what
		return true
	}
	return false
}

func (s *failAt) Thread(ctx context.Context, incident, channel string) (broadcast.Thread, error) {
	if s.fail("thread " + channel) {
		return broadcast.Thread{}, errFailAt
	}
	return s.MemoryStore.Thread(ctx, incident, channel)
}

func (s *failAt) SaveReceipt(ctx context.Context, incident, update string, r broadcast.Receipt) error {
	if s.fail(fmt.Sprintf("save %q %q %s", incident, update, r.Channel)) {
		return errFailAt
	}
	return s.MemoryStore.SaveReceipt(ctx, incident, update, r)
}

func (s *failAt) Receipt(ctx context.Context, update, channel string) (broadcast.Receipt, bool, error) {
	if s.fail(fmt.Sprintf("receipt %q %s", update, channel)) {
		return broadcast.Receipt{}, false, errFailAt
	}
	return s.MemoryStore.Receipt(ctx, update, channel)
}

func (s *failAt) Done(ctx context.Context, update, channel, target string) (bool, string, error) {
	if s.fail(fmt.Sprintf("done %q %s %q", update, channel, target)) {
		return false, "", errFailAt
	}
	return s.MemoryStore.Done(ctx, update, channel, target)
}

func (s *failAt) Mark(ctx context.Context, update, channel, target string, failure error) error {
	if s.fail(fmt.Sprintf("mark %q %s %q %v", update, channel, target, failure)) {
		return errFailAt
	}
	return s.MemoryStore.Mark(ctx, update, channel, target, failure)
}

// The Store failing at each step of a fan-out's Send, once: one final
// event, no target posted twice unless the Send said ErrNotRecorded, and
// the same update sent again reaches every target.
func TestFanoutStoreFailsAtEachStep(t *testing.T) {
	for k := 1; k <= 80; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
			ch.script = func(call int, t string) error {
				switch {
				case t == "b" && call == 1:
					return errRefusedT
				case t == "c" && call == 1:
					return errLaterT
				}
				return nil
			}
			st := &failAt{MemoryStore: broadcast.NewMemoryStore(), k: k}
			b, ev := watched(t, broadcast.Options{Store: st}, ch)
			u := validUpdate()
			u.ID = "u1"
			rep, err := b.Send(context.Background(), u)
			require.NotNil(t, rep)
			res := rep.Results[0]
			require.Len(t, ev.finals("mail", "u1"), 1, "%+v", res)
			for target, n := range ch.postsOf() {
				assert.Equal(t, 1, n, "%s (store failed at %s)", target, st.what)
			}
			lost := errors.Is(err, broadcast.ErrNotRecorded)
			for range 2 {
				rep, err = b.Send(context.Background(), u)
			}
			require.NoError(t, err, "%+v", rep.Results)
			for _, target := range ch.targets {
				n := ch.postsOf()[target]
				if lost {
					// A record lost may cost a target a second post (a
					// mark), or its retry (the record that targets
					// failed); the Send said so.
					assert.LessOrEqual(t, n, 2, target)
				} else {
					assert.Equal(t, 1, n, "%s (store failed at %s)", target, st.what)
				}
			}
		})
	}
}

// parallelFanout posts to its targets at once, each from a goroutine of
// its own, reporting posts with Posted; outcomes as script says.
type parallelFanout struct {
	targets []string
	script  func(attempt int, target string) error

	mu    sync.Mutex
	posts map[string]int
}

func (c *parallelFanout) Name() string { return "rooms" }

func (c *parallelFanout) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	var wg sync.WaitGroup
	for _, i := range f.Todo() {
		wg.Go(func() {
			t := c.targets[i]
			if err := c.script(m.Attempt, t); err != nil {
				f.Report(i, err)
				return
			}
			c.mu.Lock()
			if c.posts == nil {
				c.posts = map[string]int{}
			}
			c.posts[t]++
			c.mu.Unlock()
			f.Posted(i, broadcast.Receipt{ID: "m-" + t, Meta: map[string]string{"room." + t: "m-" + t}})
		})
	}
	wg.Wait()
	return f.Receipt(), f.Err()
}

// Many targets reported at once, in mixed ways across attempts: the
// Result's lists agree with what was posted, and the receipt names every
// post, those of earlier attempts too.
func TestFanoutParallelReports(t *testing.T) {
	var targets []string
	for i := range 12 {
		targets = append(targets, fmt.Sprintf("t%02d", i))
	}
	ch := &parallelFanout{targets: targets}
	ch.script = func(attempt int, target string) error {
		switch n := target[2] - '0'; {
		case target == "t11":
			return errRefusedT
		case n%3 == 1 && attempt == 1:
			return errLimitedT
		case n%3 == 2 && attempt <= 2:
			return errLaterT
		}
		return nil
	}
	b, ev := watched(t, broadcast.Options{}, ch)
	u := validUpdate()
	u.ID = "u1"
	rep, err := b.Send(context.Background(), u)
	require.Error(t, err)
	res := rep.Results[0]
	assert.Equal(t, 3, res.Attempts)
	assert.Equal(t, targets[:11], sorted(res.Delivered))
	assert.Equal(t, []string{"t11"}, targetNames(res.Failures))
	assert.Empty(t, res.Pending)
	assert.Len(t, res.Receipt.Meta, 11, "every post, earlier attempts' too: %v", res.Receipt.Meta)
	for _, target := range targets[:11] {
		assert.Equal(t, 1, ch.posts[target], target)
	}
	require.Len(t, ev.finals("rooms", "u1"), 1)
}

// The Store failing once, at each step, of a Job's runs on a channel with
// many targets: no target is posted twice unless a run said
// ErrNotRecorded, and the runs, retried as a queue would, reach every
// target that does not refuse.
func TestFanoutJobStoreFailsAtEachStep(t *testing.T) {
	for k := 1; k <= 60; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			ch := &mixedFanout{name: "mail", targets: []string{"a", "b", "c"}}
			ch.script = func(call int, t string) error {
				switch {
				case t == "b":
					return errRefusedT
				case t == "c" && call == 1:
					return errLimitedT
				}
				return nil
			}
			st := &failAt{MemoryStore: broadcast.NewMemoryStore(), k: k}
			b := newBroadcaster(t, broadcast.Options{Store: st}, ch)
			u := validUpdate()
			u.ID = "u1"
			jobs, err := b.Jobs(broadcast.JobSend, u, "")
			require.NoError(t, err)
			lost := false
			var res broadcast.Result
			for n := 1; n <= 6; n++ {
				res = b.RunJob(context.Background(), jobs[0], n)
				lost = lost || errors.Is(res.Err, broadcast.ErrNotRecorded)
				if res.Err == nil || broadcast.IsPermanent(res.Err) {
					break
				}
			}
			require.True(t, broadcast.IsPermanent(res.Err), "store failed at %s: %+v", st.what, res)
			posts := ch.postsOf()
			assert.Zero(t, posts["b"])
			for _, target := range []string{"a", "c"} {
				if lost {
					assert.Positive(t, posts[target], target)
				} else {
					assert.Equal(t, 1, posts[target], "%s (store failed at %s)", target, st.what)
				}
			}
		})
	}
}
