package broadcast

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// markingFan asks the Ledger about a target and marks it delivered, as a
// channel with many targets does.
type markingFan struct{}

func (markingFan) Name() string { return "fan" }

func (markingFan) Send(_ context.Context, m Message) (Receipt, error) {
	target := "t-" + m.Update.ID
	if done, _ := m.Ledger.Done(target); !done {
		_ = m.Ledger.MarkDelivered(target)
	}
	return Receipt{ID: "post-" + m.Update.ID}, nil
}

// Corrections and Sends of one incident made at the same moment on a
// fan-out channel, by one Broadcaster or by several sharing a Store and
// its Lock, all reach the record of the updates that reached targets: a
// correction's entry does not lose a Send's, nor a Send's a correction's.
func TestFannedOutRecordKeepsConcurrentCorrections(t *testing.T) {
	for _, instances := range []int{1, 3} {
		t.Run(fmt.Sprintf("broadcasters=%d", instances), func(t *testing.T) {
			ctx := context.Background()
			store := NewMemoryStore()
			bs := sharingBroadcasters(t, markingFan{}, store, instances)
			const n = 8
			update := func(id string, i int) Update { return incUpdate(id, tieT0.Add(time.Duration(i)*time.Minute)) }
			var want []string
			for i := range n {
				id := fmt.Sprintf("u%02d", i)
				want = append(want, id)
				_, err := bs[0].Send(ctx, update(id, i))
				require.NoError(t, err)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			for i := range n {
				fix, sent := fmt.Sprintf("c%02d", i), fmt.Sprintf("v%02d", i)
				mu.Lock()
				want = append(want, fix)
				mu.Unlock()
				wg.Go(func() {
					f := update(fix, 0)
					f.Time, f.Body = time.Time{}, "Corrected."
					_, err := bs[i%instances].Correct(ctx, fmt.Sprintf("u%02d", i), f)
					assert.NoError(t, err)
				})
				wg.Go(func() {
					rep, err := bs[(i+1)%instances].Send(ctx, update(sent, n+i))
					assert.NoError(t, err)
					if len(rep.Results) == 1 && len(rep.Results[0].Delivered) > 0 {
						// Not superseded as a whole by a newer one first.
						mu.Lock()
						want = append(want, sent)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			r := fannedRecord(t, store)
			assert.ElementsMatch(t, want, slices.Collect(maps.Keys(r.Meta)), "every update and correction is on the record")
		})
	}
}

// A correction's entry in the record of the updates that reached targets
// reads as no update's Time: the previous release, whose fannedEntry and
// loadOrder skip an entry that does not read, leaves it out after a
// rollback, and takes the sent updates' entries as it wrote them.
func TestFannedOutCorrectionEntryReadsAsNoTime(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	b := tieBroadcaster(t, store, markingFan{})
	t0 := tieT0
	for i, id := range []string{"a", "b"} {
		_, err := b.Send(ctx, incUpdate(id, t0.Add(time.Duration(i)*time.Minute)))
		require.NoError(t, err)
	}
	fix := incUpdate("b1", time.Time{})
	fix.Body = "Corrected."
	_, err := b.Correct(ctx, "b", fix)
	require.NoError(t, err)
	r := fannedRecord(t, store)
	require.ElementsMatch(t, []string{"a", "b", "b1"}, slices.Collect(maps.Keys(r.Meta)))
	for id, v := range r.Meta {
		when, place, ok := fannedEntry(v)
		if id == "b1" {
			assert.False(t, ok, "b1's entry %q reads as an update's", v)
			continue
		}
		assert.True(t, ok, id)
		assert.Positive(t, place, id)
		assert.Equal(t, map[string]time.Time{"a": t0, "b": t0.Add(time.Minute)}[id], when.UTC(), id)
	}
}
