package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/ctxtest"
)

// TestPruneEndedEarlyKeepsNoOlderRecordOfWhatItRemoved: a Prune that ends
// before it is done (its context ended; the same holds of a process
// killed) never leaves a record older than one it removed. The
// Broadcaster relies on it across update keys: the record of an update's
// first Send (update "\x00sent\x00"+ID) is written after the update's
// sent mark and before its deliveries' records, so that a Prune that
// removed the update's records removed it too; a Retract that finds that
// record but not the sent mark takes the channels without records for
// channels that never posted, and skips them. Before, Prune removed in
// transactions of about 1,000 entries, in key order, each committed: one
// ended after its first transaction had removed update u1's sent mark
// and receipt (its key sorts first: its ID is shorter) and kept the record
// of u1's first Send, written before them.
func TestPruneEndedEarlyKeepsNoOlderRecordOfWhatItRemoved(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	day1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) { s.now = func() time.Time { return day1.Add(d) } }

	// u1's first Send: its sent mark, the record of its first Send, its
	// post on channel x.
	at(0)
	require.NoError(t, s.Mark(ctx, "u1", "\x00sent", "\x00sent", nil))
	at(time.Second)
	require.NoError(t, s.SaveReceipt(ctx, "\x00sent\x00u1", "\x00sent\x00u1", broadcast.Receipt{Channel: "\x00sent", UpdateID: "u1"}))
	at(2 * time.Second)
	require.NoError(t, s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "x", ID: "post-1"}))
	require.NoError(t, s.Mark(ctx, "u1", "x", "", nil))
	// Other updates, of IDs sorting between "u1" and "\x00sent\x00u1",
	// enough for more than one of Prune's transactions.
	at(time.Hour)
	for i := range pruneBatch + 100 {
		require.NoError(t, s.Mark(ctx, fmt.Sprintf("f%05d", i), "x", "", nil))
	}

	n, err := s.Prune(ctxtest.EndsAfterLooks(ctx, 2), day1.Add(24*time.Hour))
	require.ErrorIs(t, err, context.Canceled)
	t.Logf("removed %d entries before the context ended", n)
	sent, _, err := s.Done(ctx, "u1", "\x00sent", "\x00sent")
	require.NoError(t, err)
	_, post, err := s.Receipt(ctx, "u1", "x")
	require.NoError(t, err)
	_, first, err := s.Receipt(ctx, "\x00sent\x00u1", "\x00sent")
	require.NoError(t, err)
	if first {
		assert.True(t, sent && post, "u1's sent mark and post are kept while the record of its first Send, older, is")
	}

	// Reopened, as after a crash: the same holds.
	require.NoError(t, s.Close())
	s, err = Open(s.path, nil)
	require.NoError(t, err)
	_, first, err = s.Receipt(ctx, "\x00sent\x00u1", "\x00sent")
	require.NoError(t, err)
	sent, _, err = s.Done(ctx, "u1", "\x00sent", "\x00sent")
	require.NoError(t, err)
	if first {
		assert.True(t, sent, "after reopening, u1's sent mark is kept while the record of its first Send is")
	}
}
