package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pruneAlloc returns the bytes a Prune of a store of updates updates
// allocates, with a cutoff before all of them: it removes nothing.
func pruneAlloc(t *testing.T, updates int) uint64 {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	fillUpdates(t, s, updates, at)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := s.Prune(context.Background(), at.Add(-time.Hour))
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Zero(t, n)
	return after.TotalAlloc - before.TotalAlloc
}

// TestPruneMemoryBounded: a Prune's memory does not grow with the number
// of updates the store holds. Before, it kept every update's ID (and the
// key of every kept receipt's thread) in maps while it walked: a store of
// 40 times as many updates cost it some 40 times as many bytes.
func TestPruneMemoryBounded(t *testing.T) {
	few, many := pruneAlloc(t, 500), pruneAlloc(t, 20_000)
	t.Logf("Prune of 500 updates: %d bytes; of 20,000: %d bytes", few, many)
	assert.Less(t, many, 2*few+64<<10, "a Prune of 20,000 updates allocates no more than one of 500, give or take")
}

// TestPruneInBatches: a Prune of more entries than one part of its walk
// removes removes all that are old, and keeps the threads of
// the receipts kept, whatever part they fall in.
func TestPruneInBatches(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	day1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	const updates = 3 * pruneBatch
	fillUpdates(t, s, updates, day1)
	s.now = func() time.Time { return day1.Add(48 * time.Hour) }
	for i := 0; i < updates; i += 2 { // every other update marked again on day 3
		require.NoError(t, s.Mark(ctx, fmt.Sprintf("u_%016x", i), "x", "", nil))
	}
	n, err := s.Prune(ctx, day1.Add(24*time.Hour))
	require.NoError(t, err)
	assert.EqualValues(t, 3*updates/2, n, "the mark, receipt and thread of each update not marked again")
	for _, i := range []int{0, 1, updates/2 - 1, updates / 2, updates - 2, updates - 1} {
		_, found, err := s.Receipt(ctx, fmt.Sprintf("u_%016x", i), "x")
		require.NoError(t, err)
		assert.Equal(t, i%2 == 0, found, "receipt of update %d", i)
		th, err := s.Thread(ctx, fmt.Sprintf("inc-%d", i), "x")
		require.NoError(t, err)
		assert.Equal(t, i%2 == 0, th.Last.ID != "", "thread of update %d", i)
	}
	n, err = s.Prune(ctx, day1.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n, "a second Prune with the same cutoff")
	n, err = s.Prune(ctx, day1.Add(72*time.Hour))
	require.NoError(t, err)
	assert.EqualValues(t, 3*updates/2, n, "all the rest")
}
