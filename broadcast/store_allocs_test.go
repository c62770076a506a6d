package broadcast_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
)

// The MemoryStore's entries of an update on its channels are allocated
// together, not one allocation per channel: a Send's delivery marks its
// attempt on each channel, and ten such first marks of one update
// allocate fewer times than there are channels (its maps' growth,
// amortized, aside).
func TestMemoryStoreEntriesAllocateTogether(t *testing.T) {
	ctx := context.Background()
	s := broadcast.NewMemoryStore()
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("ch%d", i)
	}
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("update-%d", i)
	}
	n := 0
	allocs := testing.AllocsPerRun(500, func() {
		id := ids[n%len(ids)]
		n++
		for _, name := range names {
			if err := s.Mark(ctx, id, name, "", nil); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs > 3 {
		t.Errorf("first marks of an update on 10 channels: %.1f allocations, want at most 3", allocs)
	}
	t.Logf("first marks of an update on 10 channels: %.1f allocations", allocs)
}
