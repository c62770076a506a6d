package stack

import (
	"sync"
	"testing"
	"unsafe"
)

// Grow does grow a fresh goroutine's stack: the runtime copies it to a
// larger one, so a local variable is at another address after the call.
// A compiler that dropped the growNk's room from their frames would leave
// it where it was.
func TestGrowMovesAFreshStack(t *testing.T) {
	for _, n := range []int{2 << 10, 6 << 10, 16 << 10} {
		var moved bool
		var wg sync.WaitGroup
		wg.Go(func() {
			var x int
			before := uintptr(unsafe.Pointer(&x))
			Grow(n)
			moved = uintptr(unsafe.Pointer(&x)) != before
		})
		wg.Wait()
		if !moved {
			t.Errorf("Grow(%d): the goroutine's stack was not grown", n)
		}
	}
}
