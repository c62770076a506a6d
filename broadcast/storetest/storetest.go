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
// Each rule is a named subtest, so one can be run alone with
// go test -run 'TestStore/ConcurrentMarks'. When a subtest fails, it logs the
// rule it checks in one line.
//
// A durable Store also runs RunDurable, which closes and reopens the Store
// between writing and reading.
//
// # Limits
//
// The suite checks behaviour a caller can observe through the interface. It
// cannot tell whether a write reached the disk before Mark returned (a power
// failure would), only that it survives closing and reopening the Store; see
// the crash test of broadcast/boltstore for a process killed mid-send.
// Receipt times are compared as instants: a Store may return them in another
// location and without a monotonic clock reading. A nil and an empty
// Receipt.Meta are treated alike.
//
// # Errors
//
// Failures are reported through t. A Store may fail a call whose context is
// already done, with an error matching the context's error; it must not fail
// any other call the suite makes.
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
	rules := append(receiptRules(), markRules()...)
	rules = append(rules, contextRules()...)
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
	}
}

// checkCancelledContext does not require a Store to look at ctx: the
// Broadcaster never cancels the context of a write, and a read that
// succeeds anyway is harmless. What it forbids is any other kind of failure,
// and a write that reports success without taking effect.
func checkCancelledContext(t *testing.T, s broadcast.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	canceled := func(err error) bool { return err == nil || errors.Is(err, context.Canceled) }

	err := s.Mark(ctx, "u1", "email", "ada@example.com", nil)
	require.Truef(t, canceled(err), "Mark: %v", err)
	done, err2 := s.Done(bg, "u1", "email", "ada@example.com")
	require.NoError(t, err2)
	if err == nil {
		assert.True(t, done, "Mark returned nil, so the mark must be there")
	}

	want := receipt("email", 1)
	err = s.SaveReceipt(ctx, "inc", want)
	require.Truef(t, canceled(err), "SaveReceipt: %v", err)
	got, ok, err2 := s.LastReceipt(bg, "inc", "email")
	require.NoError(t, err2)
	if err == nil {
		require.True(t, ok, "SaveReceipt returned nil, so the receipt must be there")
		assertReceipt(t, want, got)
	}

	_, err = s.Done(ctx, "u1", "email", "ada@example.com")
	assert.Truef(t, canceled(err), "Done: %v", err)
	_, _, err = s.LastReceipt(ctx, "inc", "email")
	assert.Truef(t, canceled(err), "LastReceipt: %v", err)
}

// receipt returns a Receipt of channel with every field set, told apart
// from others by n.
func receipt(channel string, n int) broadcast.Receipt {
	return broadcast.Receipt{
		Channel: channel,
		ID:      fmt.Sprintf("<%d.msg@example.com>", n),
		URL:     fmt.Sprintf("https://example.com/posts/%d", n),
		Time:    time.Date(2025, 3, 14, 15, 9, 26, 535_897_932+n, time.UTC),
		Meta:    map[string]string{"n": fmt.Sprint(n), "thread": "τ-" + fmt.Sprint(n)},
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
	if len(want.Meta) == 0 {
		return assert.Empty(t, got.Meta, "Meta") && ok
	}
	return assert.Equal(t, want.Meta, got.Meta, "Meta") && ok
}

// lastReceipt is LastReceipt that must succeed.
func lastReceipt(t *testing.T, s broadcast.Store, incident, channel string) (broadcast.Receipt, bool) {
	t.Helper()
	r, ok, err := s.LastReceipt(context.Background(), incident, channel)
	require.NoError(t, err)
	return r, ok
}

// done is Done that must succeed.
func done(t *testing.T, s broadcast.Store, update, channel, target string) bool {
	t.Helper()
	ok, err := s.Done(context.Background(), update, channel, target)
	require.NoError(t, err)
	return ok
}

// parallel runs f(i) for i in [0, n) on n goroutines and waits for all.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}
