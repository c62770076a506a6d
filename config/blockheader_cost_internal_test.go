package config

import (
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The check of block scalars' headers walks every node of the file: it
// wrote the path of each, through lists nested deep ("[[[…]]]", 8,000
// deep: 18 KB) each longer than the one before it, 120 MB for a file that
// holds no fault of its kind. It writes the path of a node it refuses,
// no other.
func TestCheckBlockHeadersWritesNoPathItNeedsNot(t *testing.T) {
	const depth = 8000
	data := []byte("a: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	var faults []error
	runtime.GC()
	runtime.ReadMemStats(&before)
	checkBlockHeaders("test.yaml", nil, root.Content[0], data, &faults)
	runtime.ReadMemStats(&after)
	if len(faults) != 0 {
		t.Fatalf("faults: %v", faults)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("%d MB allocated, want at most 4", got>>20)
	}
}
