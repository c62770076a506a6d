package broadcast_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// The bookkeeping of a fan-out whose every target is delivered costs as
// many allocations for 100 targets as for 10: its lists of the targets to
// do and of those delivered are each made once, not grown an append at a
// time (a webhook's Send does this once per attempt).
func TestFanoutBookkeepingAllocatesOnce(t *testing.T) {
	allocs := func(n int) float64 {
		targets := make([]string, n)
		for i := range targets {
			targets[i] = fmt.Sprint("target-", i)
		}
		m := broadcast.Message{Update: validUpdate()}
		return testing.AllocsPerRun(20, func() {
			f := broadcast.NewFanout(m, targets)
			for _, i := range f.Todo() {
				f.Report(i, nil)
			}
			if len(f.Delivered()) != n {
				t.Fatalf("delivered %d of %d", len(f.Delivered()), n)
			}
		})
	}
	assert.Equal(t, allocs(10), allocs(100), "allocations for 100 targets, against 10")
}
