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

// A value written empty where text is wanted is looked at where the file
// wrote it (a "#" after a space taken for a comment): its line was read
// again, as characters, for each such value, so that a file of 23 KB, one
// line of 8,000 of them ("stages: [[~, ~, …]]"), cost 1 GB. Each line is
// found once, and read as characters once.
func TestManyEmptyValuesOnOneLineCheap(t *testing.T) {
	for _, comment := range []string{"", " # à la ligne"} { // characters of more than a byte, or none
		doc := "channels: [console://]\nstages: [[" + strings.Repeat("~, ", 8000) + "]]" + comment + "\n"
		bytes, err := parseBytes(t, doc)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "test.yaml:2: stages[0][0]: empty (write a value, or leave the item out)")
		t.Logf("%d KB file: %d MB allocated", len(doc)>>10, bytes>>20)
		assert.Less(t, bytes, uint64(40<<20), "bytes allocated to load a file of %d KB", len(doc)>>10)
	}
}

// Lists nested deeper than the YAML library's limit (10,000) are an error
// at their line, as the package doc says.
func TestNestingPastTheLimitRefused(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{"channels: [console://]\na: " + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "\n",
			"test.yaml:2: a: exceeded max depth of 10000"},
		{"channels: [console://]\na:\n" + strings.Repeat("- ", 10001) + "x\n", "test.yaml:3: exceeded max depth of 10000"},
	} {
		_, _, err := parse(t, tt.doc, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.want)
	}
}
