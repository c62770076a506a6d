package templates

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A width pads every value a slice, a map or a struct holds, not the
// argument once: "%999v" of 10,000 short components writes some 20 MB.
// printf refuses such a format before it formats it, rather than
// allocating all it writes and refusing it after.
func TestPrintfWidthOfEachElementRefusedBeforeFormatting(t *testing.T) {
	components := make([]broadcast.Component, 10_000)
	format := strings.Repeat("%999[1]v", 5) // about 100 MB
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	assert.PanicsWithValue(t, errResultTooLarge, func() { boundedPrintf(format, components) })
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(MaxOutputSize), "bytes allocated")

	// A narrow width of the same list, and any width of a string, still
	// format.
	assert.Len(t, boundedPrintf("%3v", components[:100]), len("[")+100*len("{   "+" "+"   }")+99+len("]"))
	assert.Len(t, boundedPrintf("%999s|%.999f", "x", 1.5), 999+1+len("1.")+999)
}
