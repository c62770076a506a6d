package storetest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// RunDurable runs the durability rules against a Store kept in a file. open
// opens (creating if need be) the Store at path and returns it with the
// function that closes it; each subtest opens, writes, closes and reopens the
// same path, in a fresh directory. A Store that passes keeps marks with
// their failure reasons, threads and receipts across a close and a reopen,
// as after a restart, and a Broadcaster over the reopened Store carries on
// where the last one stopped.
func RunDurable(t *testing.T, open func(t *testing.T, path string) (broadcast.Store, func() error)) {
	t.Helper()
	rules := []struct {
		name  string
		rule  string
		check func(t *testing.T, reopen func() broadcast.Store)
	}{
		{"MarksSurviveReopen", "marks, delivered and failed with their reasons (byte for byte), are there after closing and reopening",
			checkMarksSurvive},
		{"ThreadsSurviveReopen", "each incident's and channel's Thread, Root and Last, is there after reopening",
			checkThreadsSurvive},
		{"ReceiptsSurviveReopen", "each update's receipt per channel is there after reopening", checkReceiptsSurvive},
		{"WritesAfterReopen", "a reopened store takes new marks and receipts and keeps the old ones", checkWritesAfterReopen},
		{"BroadcasterResumesAfterReopen", "a Broadcaster over the reopened Store sends only to targets not " +
			"delivered (an earlier permanent failure, kept with its reason, is tried again), and sends no target " +
			"blind when its mark cannot be read", checkBroadcasterResumes},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			explainOnFailure(t, r.rule)
			r.check(t, reopener(t, open))
		})
	}
}

// reopener returns a function that closes the Store it opened last, if any,
// and opens the same path again. The last Store is closed at cleanup.
func reopener(t *testing.T, open func(t *testing.T, path string) (broadcast.Store, func() error)) func() broadcast.Store {
	path := filepath.Join(t.TempDir(), "store")
	var closeLast func() error
	t.Cleanup(func() {
		if closeLast != nil {
			assert.NoError(t, closeLast(), "close")
		}
	})
	return func() broadcast.Store {
		t.Helper()
		if closeLast != nil {
			c := closeLast
			closeLast = nil
			require.NoError(t, c(), "close")
		}
		s, c := open(t, path)
		require.NotNil(t, s, "open")
		closeLast = c
		return s
	}
}

func checkMarksSurvive(t *testing.T, reopen func() broadcast.Store) {
	ctx := context.Background()
	s := reopen()
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.Mark(ctx, "u1", "email", "bob@example.com", errors.New("550 no such user")))
	require.NoError(t, s.Mark(ctx, "u1", "email", "eve@example.com", errors.New("")))
	require.NoError(t, s.Mark(ctx, "u1", "email", "oz@example.com", errors.New("550 \x00caf\xe9\xff")))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	require.NoError(t, s.Mark(ctx, "\x00retract\x00u1", "x", "", nil))

	s = reopen()
	assertDone(t, s, "u1", "email", "ada@example.com", true, "")
	assertDone(t, s, "u1", "email", "bob@example.com", true, "550 no such user")
	assertDone(t, s, "u1", "email", "eve@example.com", true, "failed")
	assertDone(t, s, "u1", "email", "oz@example.com", true, "550 \x00caf\xe9\xff")
	assertDone(t, s, "u1", "x", "", true, "")
	assertDone(t, s, "\x00retract\x00u1", "x", "", true, "")
	assertDone(t, s, "u1", "email", "mallory@example.com", false, "")
	assertDone(t, s, "u1", "email", "", false, "")
	assertDone(t, s, "u2", "x", "", false, "")
}

func checkThreadsSurvive(t *testing.T, reopen func() broadcast.Store) {
	ctx := context.Background()
	s := reopen()
	for n := 1; n <= 3; n++ {
		r := receipt("x", fmt.Sprint("u", n), n)
		require.NoError(t, s.SaveReceipt(ctx, "inc-1", r.UpdateID, r))
	}
	bare := broadcast.Receipt{Channel: "irc", Time: receipt("", "", 4).Time}
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", "u1", bare))

	s = reopen()
	assertThread(t, s, "inc-1", "x", receipt("x", "u1", 1), receipt("x", "u3", 3))
	assertThread(t, s, "inc-1", "irc", bare, bare)
	assert.True(t, thread(t, s, "inc-2", "x").IsZero())
}

func checkReceiptsSurvive(t *testing.T, reopen func() broadcast.Store) {
	ctx := context.Background()
	s := reopen()
	for n := 1; n <= 3; n++ {
		r := receipt("x", fmt.Sprint("u", n), n)
		require.NoError(t, s.SaveReceipt(ctx, "inc-1", r.UpdateID, r))
	}

	s = reopen()
	for n := 1; n <= 3; n++ {
		want := receipt("x", fmt.Sprint("u", n), n)
		got, ok := savedReceipt(t, s, want.UpdateID, "x")
		if assert.True(t, ok, want.UpdateID) {
			assertReceipt(t, want, got)
		}
	}
	_, ok := savedReceipt(t, s, "u4", "x")
	assert.False(t, ok)
}

func checkWritesAfterReopen(t *testing.T, reopen func() broadcast.Store) {
	ctx := context.Background()
	for round := range 3 {
		s := reopen()
		if round > 0 {
			assertThread(t, s, "inc", "x", receipt("x", "u0", 0), receipt("x", fmt.Sprint("u", round-1), round-1))
		}
		for old := range round {
			u := fmt.Sprint("u", old)
			assertDone(t, s, u, "email", "ada@example.com", true, fmt.Sprint("550 round ", old))
			got, ok := savedReceipt(t, s, u, "x")
			if assert.True(t, ok, "round %d", old) {
				assertReceipt(t, receipt("x", u, old), got)
			}
		}
		u := fmt.Sprint("u", round)
		require.NoError(t, s.Mark(ctx, u, "email", "ada@example.com", fmt.Errorf("550 round %d", round)))
		require.NoError(t, s.SaveReceipt(ctx, "inc", u, receipt("x", u, round)))
	}
	s := reopen()
	assertDone(t, s, "u2", "email", "ada@example.com", true, "550 round 2")
	assertThread(t, s, "inc", "x", receipt("x", "u0", 0), receipt("x", "u2", 2))
}

func checkBroadcasterResumes(t *testing.T, reopen func() broadcast.Store) {
	ctx := context.Background()
	f := newFan("email", "ada@example.com", "bad@example.com", "slow@example.com")
	f.fail["bad@example.com"] = []error{errNoUser}
	f.fail["slow@example.com"] = failing(fast.MaxAttempts, errTryLater)
	_, err := newBroadcaster(t, reopen(), f.channel()).Send(ctx, update(1))
	require.Error(t, err, "slow was never reached")

	assertDone(t, reopen(), "u1", "email", "bad@example.com", true, errNoUser.Error())

	fs := newFaulty(reopen())
	ft := fs.fail(1, on("Done", "email", "ada@example.com"))
	rep, err := newBroadcaster(t, fs, f.channel()).Send(ctx, update(1))
	assert.NotErrorIs(t, err, broadcast.ErrNotRecorded)
	assert.Equal(t, 1, fs.failures(ft), "the first read of ada's mark failed")
	assert.Equal(t, map[string]int{"ada@example.com": 1, "bad@example.com": 2, "slow@example.com": fast.MaxAttempts + 1},
		f.sends(), "ada was not sent to again, bad was tried again once, slow was delivered")
	assert.Equal(t, 2, rep.Results[0].Attempts, "the failed read made the first attempt transient")
	last := f.ledger(t, fast.MaxAttempts+1)
	assert.Equal(t, answer{done: true}, last["bad@example.com"], "bad's delivery on the second try")
	assert.Equal(t, answer{done: true}, last["ada@example.com"], "ada's delivery survived")
	assertDone(t, fs, "u1", "email", "", true, "")
}
