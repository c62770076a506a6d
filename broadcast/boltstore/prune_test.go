package boltstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestPrune prunes twice: once with what day 1 recorded behind the cutoff,
// once with everything.
func TestPrune(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	day1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	day2, day3 := day1.Add(24*time.Hour), day1.Add(48*time.Hour)
	on := func(day time.Time) { s.now = func() time.Time { return day } }
	post := func(incident, update string) {
		t.Helper()
		require.NoError(t, s.SaveReceipt(ctx, incident, update, broadcast.Receipt{Channel: "x", ID: update}))
	}
	mark := func(update, channel, target string, failure error) {
		t.Helper()
		require.NoError(t, s.Mark(ctx, update, channel, target, failure))
	}

	on(day1)
	mark("u1", "email", "ada@example.com", nil)
	mark("u1", "email", "bob@example.com", errors.New("550 no such user"))
	post("inc-1", "u1")
	mark("u1", "x", "", nil)
	post("inc-2", "u0") // its mark comes a day later: the receipt is kept with it
	post("inc-4", "u3")
	mark("u3", "x", "", nil)
	on(day2)
	mark("u0", "x", "", nil)
	mark("u2", "email", "ada@example.com", nil)
	post("inc-3", "u2")
	mark("u2", "x", "", nil)
	post("inc-4", "u4") // a later update keeps inc-4's thread, Root and all
	mark("u4", "x", "", nil)

	n, err := s.Prune(ctx, day1)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is older than day 1")

	n, err = s.Prune(ctx, day2)
	require.NoError(t, err)
	assert.Equal(t, 7, n, "four marks, two receipts and a thread of day 1")
	assertMarks(t, s, map[[3]string]bool{
		{"u1", "email", "ada@example.com"}: false, {"u1", "email", "bob@example.com"}: false,
		{"u1", "x", ""}: false, {"u3", "x", ""}: false,
		{"u0", "x", ""}: true, {"u2", "email", "ada@example.com"}: true, {"u2", "x", ""}: true, {"u4", "x", ""}: true,
	})
	assertReceipts(t, s, map[string]bool{"u0": true, "u1": false, "u2": true, "u3": false, "u4": true})
	assertThreads(t, s, map[string][2]string{
		"inc-1": {}, "inc-2": {"u0", "u0"}, "inc-3": {"u2", "u2"}, "inc-4": {"u3", "u4"},
	})

	n, err = s.Prune(ctx, day3)
	require.NoError(t, err)
	assert.Equal(t, 10, n, "four marks, three receipts and three threads")
	assertMarks(t, s, map[[3]string]bool{{"u0", "x", ""}: false, {"u2", "x", ""}: false, {"u4", "x", ""}: false})
	assertReceipts(t, s, map[string]bool{"u0": false, "u2": false, "u4": false})
	assertThreads(t, s, map[string][2]string{"inc-2": {}, "inc-3": {}, "inc-4": {}})
}

func assertMarks(t *testing.T, s *Store, want map[[3]string]bool) {
	t.Helper()
	for k, w := range want {
		done, _, err := s.Done(context.Background(), k[0], k[1], k[2])
		require.NoError(t, err)
		assert.Equal(t, w, done, "mark %q kept", k)
	}
}

func assertReceipts(t *testing.T, s *Store, want map[string]bool) {
	t.Helper()
	for update, w := range want {
		r, found, err := s.Receipt(context.Background(), update, "x")
		require.NoError(t, err)
		if assert.Equal(t, w, found, "receipt of %s kept", update) && found {
			assert.Equal(t, update, r.ID)
		}
	}
}

// assertThreads checks the ids of each incident's Root and Last; none when
// the thread is gone.
func assertThreads(t *testing.T, s *Store, want map[string][2]string) {
	t.Helper()
	for incident, w := range want {
		th, err := s.Thread(context.Background(), incident, "x")
		require.NoError(t, err)
		assert.Equal(t, w, [2]string{th.Root.ID, th.Last.ID}, "thread of %s", incident)
	}
}

func TestPruneWithCancelledContextRemovesNothing(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	require.NoError(t, s.Mark(context.Background(), "u1", "email", "ada@example.com", nil))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := s.Prune(ctx, time.Now().Add(time.Hour))
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, n)
	done, _, err := s.Done(context.Background(), "u1", "email", "ada@example.com")
	require.NoError(t, err)
	assert.True(t, done)
}
