package redact_test

import (
	"runtime"
	"testing"
)

// A server controls what it answers, and every error goes through the
// Redactor: on each hostile shape (see hostileShapes), with a token and
// a login known, String and Truncated of 1 MB make no more allocations,
// and allocate no more bytes, than four times what they do of 256 KB
// (and a little more for the fixed part): the cost grows with the text,
// not faster.
func TestRedactorHostileCostLinear(t *testing.T) {
	r := hostileRedactor()
	small, large := hostileShapes(256<<10), hostileShapes(1<<20)
	for name := range small {
		for _, how := range []string{"String", "Truncated"} {
			// measure returns the allocations and the bytes allocated of
			// redacting s, the bytes read within AllocsPerRun's run.
			measure := func(s string) (float64, uint64) {
				var bytes uint64
				n := testing.AllocsPerRun(1, func() {
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					if how == "String" {
						_ = r.String(s)
					} else {
						_ = r.Truncated(s)
					}
					runtime.ReadMemStats(&after)
					bytes = after.TotalAlloc - before.TotalAlloc
				})
				return n, bytes
			}
			nSmall, bSmall := measure(small[name])
			nLarge, bLarge := measure(large[name])
			if nLarge > 4*nSmall+16 {
				t.Errorf("%s of %s: %.0f allocations of 1 MB against %.0f of 256 KB", how, name, nLarge, nSmall)
			}
			if bLarge > 4*bSmall+bSmall/4 {
				t.Errorf("%s of %s: %d bytes allocated of 1 MB against %d of 256 KB", how, name, bLarge, bSmall)
			}
		}
	}
}
