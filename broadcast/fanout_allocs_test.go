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

// A retry of a fan-out to thousands that an earlier attempt delivered to
// all but the first target does the first alone, and its list of targets
// to do holds that one, not room for every target after it: a retry
// attempt would otherwise allocate for the whole list again, each time.
func TestFanoutTodoSizedForTheTargetsLeft(t *testing.T) {
	targets := make([]string, 5000)
	for i := range targets {
		targets[i] = fmt.Sprint("target-", i)
	}
	m := broadcast.NewMessage(validUpdate())
	for _, target := range targets[1:] {
		if err := m.Ledger.MarkDelivered(target); err != nil {
			t.Fatal(err)
		}
	}
	f := broadcast.NewFanout(m, targets)
	assert.Equal(t, []int{0}, f.Todo())
	assert.Equal(t, 1, cap(f.Todo()), "capacity of the targets to do")
	f.Report(0, nil)
	assert.Equal(t, []int{0}, f.Delivered())
	assert.Equal(t, 1, cap(f.Delivered()), "capacity of the targets delivered")
	assert.NoError(t, f.Err())
}
