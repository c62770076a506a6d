package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file of many channel entries, each a fault ("channels: [{}, {}, …]",
// of no kind, or "[a, a, …]", no URL), cost its Load about 124 KB an
// entry of no kind, 43 GB for a file of 1 MB, and 11 KB an entry of text,
// 5.8 GB: the walks that look for the file's secrets look each entry up as
// every kind's type, and made the map of each type's keys anew each time,
// and the sets of the mappings and keys each walk merged (merges), which an
// entry of text has none of. The map is made once a type, the sets at a
// walk's first mapping.
func TestManyFaultyEntriesCheap(t *testing.T) {
	const n = 2000
	for _, tt := range []struct {
		entry, want string
		most        uint64
	}{
		{"{}", "test.yaml:1: channels[0]: kind: missing", 40 << 10},
		{"a", "test.yaml:1: channels[0]: want a channel URL", 8 << 10},
	} {
		doc := "channels: [" + strings.Repeat(tt.entry+", ", n-1) + tt.entry + "]\n"
		bytes, err := parseBytes(t, doc)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.want)
		t.Logf("%d entries %q: %d MB allocated, %d KB an entry", n, tt.entry, bytes>>20, bytes/n>>10)
		assert.Less(t, bytes/n, tt.most, "bytes allocated an entry %q", tt.entry)
	}
}
