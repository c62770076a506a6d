package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file of 18 KB whose one value is nested 8,000 deep ("a: [[[…]]]", or
// its block or mapping form) cost its Load 300 MB and seconds: the checks
// of the whole file (of keys given twice, of anchors, the expansion of
// references) wrote the path of every node they went through, each longer
// than the one above it. They write the path of a node named in a fault
// only, and the cost of the file is that of its size.
func TestDeepNestingCheap(t *testing.T) {
	const depth = 8000
	deepList := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	tests := []struct{ name, doc, want string }{
		{"flow list", "channels: [console://]\na: " + deepList + "\n", `test.yaml:2: unknown key "a"`},
		{"block list", "channels: [console://]\na:\n" + strings.Repeat("- ", depth) + "x\n", `test.yaml:2: unknown key "a"`},
		{"flow mapping", "channels: [console://]\na: " + strings.Repeat("{a: ", depth) + "x" + strings.Repeat("}", depth) + "\n",
			`test.yaml:2: unknown key "a"`},
		{"mixed", "channels: [console://]\na: " + strings.Repeat("[{a: ", depth/2) + "x" + strings.Repeat("}]", depth/2) + "\n",
			`test.yaml:2: unknown key "a"`},
		{"in a channel", "channels:\n  - kind: console\n    x: " + deepList + "\n", `test.yaml:3: channels[0]: unknown key "x"`},
		{"anchor at the bottom", "channels: [console://]\na: " + strings.Repeat("[", depth) + "&x 1" + strings.Repeat("]", depth) + "\n",
			"test.yaml:2: a" + strings.Repeat("[0]", depth) + ": an anchor that no alias uses"},
		{"reference at the bottom", "channels: [console://]\na: " + strings.Repeat("[", depth) + `"${NOPE}"` + strings.Repeat("]", depth) + "\n",
			"test.yaml:2: a" + strings.Repeat("[0]", depth) + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc
			bytes, err := parseBytes(t, doc)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			t.Logf("%d KB file: %d MB allocated", len(doc)>>10, bytes>>20)
			assert.Less(t, bytes, uint64(20<<20), "bytes allocated to load a file of %d KB", len(doc)>>10)
		})
	}
}
