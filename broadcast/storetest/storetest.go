// Package storetest checks that an implementation of broadcast.Store keeps
// the contract the Broadcaster relies on. Every Store in this module runs it,
// and so can a Store written elsewhere:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) broadcast.Store {
//			s := mystore.New()
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run checks three things. Threads and receipts: the first receipt saved for
// an incident and channel stays its Thread's Root, the latest is its Last,
// and each update's own receipt is found again, every field of it. Marks:
// Done tells a target never marked from one delivered and from one failed,
// and gives back a failure's reason exactly. And how a Broadcaster behaves
// over the Store when the Store fails: the suite wraps the Store in one
// that fails chosen calls, runs a Broadcaster with fake channels over it,
// and checks that no channel is called blind when a read fails, and that a
// delivery the Store could not record is never reported as a success
// (broadcast.ErrNotRecorded). The Store needs no code of its own for that.
//
// Each rule is a named subtest, so one can be run alone with
// go test -run 'TestStore/ConcurrentMarks'. When a subtest fails, it logs the
// rule it checks in one line.
//
// A durable Store also runs RunDurable, which closes and reopens the Store
// between writing and reading, and runs a Broadcaster over the reopened
// Store:
//
//	func TestStoreDurable(t *testing.T) {
//		storetest.RunDurable(t, func(t *testing.T, path string) (broadcast.Store, func() error) {
//			s, err := mystore.Open(path)
//			require.NoError(t, err)
//			return s, s.Close
//		})
//	}
//
// A Store that prunes old entries also runs RunPrune, with its Prune
// method as the Pruner:
//
//	func TestStorePrune(t *testing.T) {
//		storetest.RunPrune(t, func(t *testing.T) (broadcast.Store, storetest.Pruner) {
//			s := mystore.New()
//			t.Cleanup(func() { s.Close() })
//			return s, s.Prune
//		})
//	}
//
// A durable Store that prunes also runs RunPruneDurable, which prunes,
// closes and reopens it, and checks that what Prune removed is still
// gone, that what it kept is there, and that a Prune with the same cutoff
// then removes nothing (the kept entries' write times survive too):
//
//	func TestStorePruneDurable(t *testing.T) {
//		storetest.RunPruneDurable(t, func(t *testing.T, path string) (broadcast.Store, storetest.Pruner, func() error) {
//			s, err := mystore.Open(path)
//			require.NoError(t, err)
//			return s, s.Prune, s.Close
//		})
//	}
//
// # Limits
//
// The suite checks behaviour a caller can observe through the interface. It
// cannot tell whether a write reached the disk before Mark returned (a power
// failure would), only that it survives closing and reopening the Store; see
// the crash test of broadcast/boltstore for a process killed mid-send. Nor
// can it see a race between two processes sharing one Store; it checks
// concurrent calls within one process.
//
// Receipt times (Time and UpdateTime) are compared as instants, to the
// nanosecond: a Store may return them in another location and without a
// monotonic clock reading, but not rounded (the Broadcaster orders updates
// by them), nor moved by a zone's offset cut to the minute (encoding/json
// writes an offset with seconds, local mean time's, so). A nil and an empty
// Receipt.Meta are treated alike. Ids, channel names and targets are
// arbitrary strings, NUL bytes included (the Broadcaster marks retractions
// under update ids that start with one), and a target may be a few
// kilobytes long, and so may an incident or update id (the Broadcaster
// keeps the post it made to a target under ids that hold the target). A failure text is kept byte for byte, NUL bytes and
// bytes that are not UTF-8 included: it is a server's reply, quoted.
//
// # Errors
//
// Failures are reported through t. A Store may fail a call whose context is
// already done, with an error matching the context's error, and a call given
// a nil context, with any error (Prune must); it must not fail any other call
// the suite makes. The Broadcaster rules fail calls on their
// own, around the Store: errors that say "storetest: injected store failure"
// are those, and are expected.
package storetest

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

// A rule is one subtest: a name, the rule it checks in one line, and the
// check itself, run on a fresh Store.
type rule struct {
	name  string
	rule  string
	check func(t *testing.T, s broadcast.Store)
}

// Run runs the conformance suite against the Store that newStore returns.
// newStore is called once per subtest and must return a fresh, empty Store;
// it should register any cleanup (closing, removing files) with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) broadcast.Store) {
	t.Helper()
	var rules []rule
	for _, rs := range [][]rule{threadRules(), markRules(), contextRules(), broadcasterRules()} {
		rules = append(rules, rs...)
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			explainOnFailure(t, r.rule)
			r.check(t, newStore(t))
		})
	}
}

// explainOnFailure logs rule when t fails, so a failure says what the Store
// got wrong and not only which value differed.
func explainOnFailure(t *testing.T, rule string) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rule: %s", rule)
		}
	})
}

func contextRules() []rule {
	return []rule{
		{
			name: "CancelledContext",
			rule: "with a cancelled context a call either does its job or fails with an error matching " +
				"context.Canceled; a write that returned nil is visible",
			check: checkCancelledContext,
		},
		{
			name: "NilContext",
			rule: "a call given a nil context fails with an error or does its job (a write that returned nil " +
				"is visible); it never panics",
			check: checkNilContext,
		},
	}
}

// checkNilContext calls each method with a nil context, as a caller whose
// context field was never set would: an error is fine (a Store that uses
// its context should say it got none), a panic is not, and neither is a
// write that reports success without taking effect.
func checkNilContext(t *testing.T, s broadcast.Store) {
	var ctx context.Context
	var markErr, saveErr error
	want := receipt("email", "u1", 1)
	calls := []struct {
		name string
		call func()
	}{
		{"Mark", func() { markErr = s.Mark(ctx, "u1", "email", "", nil) }},
		{"SaveReceipt", func() { saveErr = s.SaveReceipt(ctx, "inc", "u1", want) }},
		{"Done", func() { _, _, _ = s.Done(ctx, "u1", "email", "") }},
		{"Thread", func() { _, _ = s.Thread(ctx, "inc", "email") }},
		{"Receipt", func() { _, _, _ = s.Receipt(ctx, "u1", "email") }},
	}
	panicked := map[string]bool{}
	for _, c := range calls {
		panicked[c.name] = !assert.NotPanicsf(t, c.call, "%s with a nil context", c.name)
	}
	if markErr == nil && !panicked["Mark"] {
		if !assertDone(t, s, "u1", "email", "", true, "") {
			t.Error("Mark with a nil context returned nil, so the mark must be there")
		}
	}
	if saveErr == nil && !panicked["SaveReceipt"] {
		got, ok := savedReceipt(t, s, "u1", "email")
		if assert.True(t, ok, "SaveReceipt with a nil context returned nil, so the receipt must be there") {
			assertReceipt(t, want, got)
		}
	}
}

// checkCancelledContext does not require a Store to look at ctx: the
// Broadcaster never cancels the context of a write, and a read that
// succeeds anyway is harmless. What it forbids is any other kind of failure,
// and a write that reports success without taking effect.
func checkCancelledContext(t *testing.T, s broadcast.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	canceled := func(err error) bool { return err == nil || errors.Is(err, context.Canceled) }

	err := s.Mark(ctx, "u1", "email", "ada@example.com", errors.New("550 no such user"))
	require.Truef(t, canceled(err), "Mark: %v", err)
	if err == nil {
		assertDone(t, s, "u1", "email", "ada@example.com", true, "550 no such user")
	}

	want := receipt("email", "u1", 1)
	err = s.SaveReceipt(ctx, "inc", "u1", want)
	require.Truef(t, canceled(err), "SaveReceipt: %v", err)
	if err == nil {
		assertThread(t, s, "inc", "email", want, want)
		got, ok := savedReceipt(t, s, "u1", "email")
		require.True(t, ok, "SaveReceipt returned nil, so the receipt must be there")
		assertReceipt(t, want, got)
	}

	_, _, err = s.Done(ctx, "u1", "email", "ada@example.com")
	assert.Truef(t, canceled(err), "Done: %v", err)
	_, err = s.Thread(ctx, "inc", "email")
	assert.Truef(t, canceled(err), "Thread: %v", err)
	_, _, err = s.Receipt(ctx, "u1", "email")
	assert.Truef(t, canceled(err), "Receipt: %v", err)
}

// receipt returns the Receipt of update on channel with every field set,
// told apart from others by n. Its Meta has an entry with an empty value,
// which a Store keeps as it keeps the others.
func receipt(channel, update string, n int) broadcast.Receipt {
	return broadcast.Receipt{
		Channel:    channel,
		ID:         fmt.Sprintf("<%d.msg@example.com>", n),
		URL:        fmt.Sprintf("https://example.com/posts/%d", n),
		Time:       time.Date(2025, 3, 14, 15, 9, 26, 535_897_932+n, time.UTC),
		Meta:       map[string]string{"n": fmt.Sprint(n), "thread": "τ-" + fmt.Sprint(n), "empty": ""},
		UpdateID:   update,
		UpdateTime: time.Date(2025, 3, 14, 15, 0, n%60, 271_828_182+n, time.FixedZone("CET", 3600)),
	}
}

// assertReceipt compares receipts field by field: times as instants, nil
// and empty Meta alike. It reports whether they matched.
func assertReceipt(t *testing.T, want, got broadcast.Receipt) bool {
	t.Helper()
	ok := assert.Equal(t, want.Channel, got.Channel, "Channel")
	ok = assert.Equal(t, want.ID, got.ID, "ID") && ok
	ok = assert.Equal(t, want.URL, got.URL, "URL") && ok
	ok = assert.Truef(t, want.Time.Equal(got.Time), "Time: want %v, got %v", want.Time, got.Time) && ok
	ok = assert.Equal(t, want.UpdateID, got.UpdateID, "UpdateID") && ok
	ok = assert.Truef(t, want.UpdateTime.Equal(got.UpdateTime), "UpdateTime: want %v, got %v",
		want.UpdateTime, got.UpdateTime) && ok
	if len(want.Meta) == 0 {
		return assert.Empty(t, got.Meta, "Meta") && ok
	}
	return assert.Equal(t, want.Meta, got.Meta, "Meta") && ok
}

// thread is Thread that must succeed.
func thread(t *testing.T, s broadcast.Store, incident, channel string) broadcast.Thread {
	t.Helper()
	th, err := s.Thread(context.Background(), incident, channel)
	require.NoError(t, err)
	return th
}

// assertThread checks the Thread of incident and channel.
func assertThread(t *testing.T, s broadcast.Store, incident, channel string, root, last broadcast.Receipt) bool {
	t.Helper()
	th := thread(t, s, incident, channel)
	if !assertReceipt(t, root, th.Root) {
		t.Errorf("incident %q, channel %q: wrong Root", incident, channel)
		return false
	}
	if !assertReceipt(t, last, th.Last) {
		t.Errorf("incident %q, channel %q: wrong Last", incident, channel)
		return false
	}
	return true
}

// savedReceipt is Receipt that must succeed.
func savedReceipt(t *testing.T, s broadcast.Store, update, channel string) (broadcast.Receipt, bool) {
	t.Helper()
	r, ok, err := s.Receipt(context.Background(), update, channel)
	require.NoError(t, err)
	return r, ok
}

// assertDone checks Done of a mark, which must succeed.
func assertDone(t *testing.T, s broadcast.Store, update, channel, target string, want bool, failure string) bool {
	t.Helper()
	done, got, err := s.Done(context.Background(), update, channel, target)
	require.NoError(t, err)
	return assert.Equalf(t, [2]any{want, failure}, [2]any{done, got},
		"Done(%q, %q, %q): (done, failure)", update, channel, target)
}

// parallel runs f(i) for i in [0, n) on n goroutines and waits for all.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}
