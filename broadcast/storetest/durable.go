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
// same path, in a fresh directory. A Store that passes keeps marks and
// receipts across a close and a reopen, as after a restart.
func RunDurable(t *testing.T, open func(t *testing.T, path string) (broadcast.Store, func() error)) {
	t.Helper()
	rules := []struct {
		name  string
		rule  string
		check func(t *testing.T, reopen func() broadcast.Store)
	}{
		{"MarksSurviveReopen", "marks, delivered and failed, are there after closing and reopening", checkMarksSurvive},
		{"ReceiptsSurviveReopen", "the latest receipt of each incident and channel is there after reopening", checkReceiptsSurvive},
		{"WritesAfterReopen", "a reopened store takes new marks and receipts and keeps the old ones", checkWritesAfterReopen},
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
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))

	s = reopen()
	assert.True(t, done(t, s, "u1", "email", "ada@example.com"))
	assert.True(t, done(t, s, "u1", "email", "bob@example.com"))
	assert.True(t, done(t, s, "u1", "x", ""))
	assert.False(t, done(t, s, "u1", "email", "eve@example.com"))
	assert.False(t, done(t, s, "u1", "email", ""))
	assert.False(t, done(t, s, "u2", "x", ""))
}

func checkReceiptsSurvive(t *testing.T, reopen func() broadcast.Store) {
	ctx := context.Background()
	s := reopen()
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", receipt("x", 1)))
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", receipt("x", 2)))
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", broadcast.Receipt{Channel: "irc", Time: receipt("", 3).Time}))

	s = reopen()
	got, ok := lastReceipt(t, s, "inc-1", "x")
	require.True(t, ok)
	assertReceipt(t, receipt("x", 2), got)
	got, ok = lastReceipt(t, s, "inc-1", "irc")
	require.True(t, ok)
	assertReceipt(t, broadcast.Receipt{Channel: "irc", Time: receipt("", 3).Time}, got)
	_, ok = lastReceipt(t, s, "inc-2", "x")
	assert.False(t, ok)
}

func checkWritesAfterReopen(t *testing.T, reopen func() broadcast.Store) {
	ctx := context.Background()
	for round := range 3 {
		s := reopen()
		for old := range round {
			assert.True(t, done(t, s, fmt.Sprint("u", old), "email", "ada@example.com"), "round %d", old)
			got, ok := lastReceipt(t, s, fmt.Sprint("inc-", old), "x")
			if assert.True(t, ok, "round %d", old) {
				assertReceipt(t, receipt("x", old), got)
			}
		}
		require.NoError(t, s.Mark(ctx, fmt.Sprint("u", round), "email", "ada@example.com", nil))
		require.NoError(t, s.SaveReceipt(ctx, fmt.Sprint("inc-", round), receipt("x", round)))
	}
	s := reopen()
	assert.True(t, done(t, s, "u2", "email", "ada@example.com"))
}
