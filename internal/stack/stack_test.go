package stack

import (
	"sync"
	"testing"
)

// Grow works at any size asked, on a fresh goroutine and on one whose
// stack is already large.
func TestGrow(t *testing.T) {
	var wg sync.WaitGroup
	for _, n := range []int{-1, 0, 2 << 10, 5000, 6 << 10, 16 << 10, 1 << 30} {
		wg.Go(func() {
			Grow(n)
			Grow(n)
		})
		Grow(n)
	}
	wg.Wait()
}

// BenchmarkGoroutine compares a goroutine that needs about 5 KB of stack
// deep in its calls with one that grows it first.
func BenchmarkGoroutine(b *testing.B) {
	for _, grow := range []bool{false, true} {
		name := "deep"
		if grow {
			name = "grown-first"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				var wg sync.WaitGroup
				wg.Go(func() {
					if grow {
						Grow(6 << 10)
					}
					deep(8)
				})
				wg.Wait()
			}
		})
	}
}

//go:noinline
func deep(n int) byte {
	var frame [512]byte
	frame[n] = byte(n)
	if n == 0 {
		return frame[0]
	}
	return deep(n-1) + frame[n]
}
