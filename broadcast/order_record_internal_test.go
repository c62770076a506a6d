package broadcast

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// askingFan asks the Ledger about a target, as a channel with many
// targets does before it posts, and then fails: no update is delivered as
// a whole, so none is superseded before it asks.
type askingFan struct{}

func (askingFan) Name() string { return "fan" }

func (askingFan) Send(_ context.Context, m Message) (Receipt, error) {
	m.Ledger.Done("t-" + m.Update.ID)
	return Receipt{}, errors.New("connection reset")
}

// yieldingStore lets other goroutines run between a read of a receipt
// and what follows, where a read-modify-write not serialised would lose
// another's write.
type yieldingStore struct{ *MemoryStore }

func (s yieldingStore) Receipt(ctx context.Context, updateID, channel string) (Receipt, bool, error) {
	r, ok, err := s.MemoryStore.Receipt(ctx, updateID, channel)
	for range 20 {
		runtime.Gosched()
	}
	return r, ok, err
}

// fannedRecord reads store's record of the updates of incident inc that
// fanned out on channel fan, which must be there (msgAndArgs say why).
func fannedRecord(t *testing.T, store Store, msgAndArgs ...any) Receipt {
	t.Helper()
	r, ok, err := store.Receipt(context.Background(), fannedKey("inc"), "fan")
	require.NoError(t, err)
	require.True(t, ok, msgAndArgs...)
	return r
}

// Updates of one incident sent at the same moment on a fan-out channel,
// by one Broadcaster or by several sharing a Store and its Lock, all
// reach the record of the updates that fanned out: its read and write
// happen under the incident's turn on the channel (and its Lock), so no
// Send's write loses another's entry, which would let an older update sent
// again post after that newer one.
func TestFannedOutRecordKeepsConcurrentUpdates(t *testing.T) {
	for _, instances := range []int{1, 3} {
		t.Run(fmt.Sprintf("broadcasters=%d", instances), func(t *testing.T) {
			store := NewMemoryStore()
			bs := sharingBroadcasters(t, askingFan{}, store, instances)
			const updates = 24
			var wg sync.WaitGroup
			var want []string
			for i := range updates {
				id := fmt.Sprintf("u%02d", i)
				want = append(want, id)
				u := incUpdate(id, tieT0.Add(time.Duration(i)*time.Minute))
				wg.Go(func() {
					_, err := bs[i%instances].Send(context.Background(), u)
					assert.ErrorContains(t, err, "connection reset")
				})
			}
			wg.Wait()
			r := fannedRecord(t, store)
			assert.Equal(t, want, slices.Sorted(maps.Keys(r.Meta)), "every update is on the record")
		})
	}
}

// The record of the updates that fanned out is pruned as the incident's
// other receipts are: by when it was last written (storetest's
// PruneRemovesOld holds every Store to that for receipts).
func TestFannedOutRecordIsPruned(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	b := tieBroadcaster(t, store, askingFan{})
	_, err := b.Send(ctx, incUpdate("u1", time.Time{}))
	require.Error(t, err)
	fannedRecord(t, store, "u1 asked about a target")

	_, err = store.Prune(ctx, time.Now().Add(time.Hour))
	require.NoError(t, err)
	_, ok, err := store.Receipt(ctx, fannedKey("inc"), "fan")
	require.NoError(t, err)
	assert.False(t, ok)
	th, err := store.Thread(ctx, postsIncident+fannedKey("inc"), "fan")
	require.NoError(t, err)
	assert.True(t, th.Last.IsZero(), "nor is its thread kept")
}

// The record lists each update with its place, in the order the updates
// came (of equal Times, the later is the newer); an entry written before
// places were kept still reads, and is newer by its Time only.
func TestFannedOutRecordPlaces(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	b := tieBroadcaster(t, store, askingFan{})
	t0 := tieT0
	for _, id := range []string{"u2", "u1", "u3"} {
		_, err := b.Send(ctx, incUpdate(id, t0))
		require.Error(t, err)
	}
	r := fannedRecord(t, store)
	stamp := t0.Format(time.RFC3339Nano)
	assert.Equal(t, map[string]string{"u2": stamp + " 1", "u1": stamp + " 2", "u3": stamp + " 3"}, r.Meta)

	legacy, place, ok := fannedEntry(stamp)
	require.True(t, ok)
	assert.Equal(t, 0, place)
	assert.True(t, legacy.Equal(t0))
	assert.False(t, newerEntry(t0, 0, t0, 2), "an entry without a place is no newer of equal Times")
	assert.True(t, newerEntry(t0, 3, t0, 2))
	assert.False(t, newerEntry(t0, 1, t0, 2))
	assert.False(t, newerEntry(t0, 1, t0, 0), "listed before the update sent")
	assert.True(t, newerEntry(t0.Add(time.Second), 0, t0, 2))
	_, _, ok = fannedEntry("yesterday 3")
	assert.False(t, ok)
}
