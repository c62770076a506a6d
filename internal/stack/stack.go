// Package stack sizes a new goroutine's stack before its work starts.
package stack

// Grow makes the calling goroutine's stack hold at least about n bytes
// more than it uses now (n at most 16 KiB), before the goroutine's work
// begins. A goroutine starts with a small stack, which the runtime copies
// to one twice as large whenever a call needs more; copying costs in
// proportion to the frames on the stack, so growing once at the top of a
// goroutine, two frames deep, costs a fraction of growing deep inside its
// calls, and growing once to the size needed costs less than growing twice.
// Call it first thing in a goroutine known to need the room.
func Grow(n int) {
	switch {
	case n <= 2<<10:
		grow2k(0)
	case n <= 6<<10:
		grow6k(0)
	default:
		grow16k(0)
	}
}

// Each growNk has a frame of N KiB, which the runtime makes room for on
// entry (growing the stack, when it is smaller, before the function's
// first instruction). The array is declared in a branch that Grow never
// takes (i is always 0), so that the compiler keeps its room in the frame
// without clearing N KiB on every call, as a declaration that runs would:
// only the room is wanted, not the array.

//go:noinline
func grow2k(i int) {
	if i < 0 {
		var room [2 << 10]byte
		keep(room[:])
	}
}

//go:noinline
func grow6k(i int) {
	if i < 0 {
		var room [6 << 10]byte
		keep(room[:])
	}
}

//go:noinline
func grow16k(i int) {
	if i < 0 {
		var room [16 << 10]byte
		keep(room[:])
	}
}

// keep is what the arrays of the growNk are given, so that the compiler
// keeps them; it lets them stay in their frames.
//
//go:noinline
func keep([]byte) {}
