package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file of many channel entries, each a fault ("channels: [{}, {}, …]",
// of no kind), cost its Load about 124 KB an entry, 43 GB for a file of
// 1 MB: the walks that look for the file's secrets looked each entry up as
// every kind's type, and made the map of each type's keys anew each time.
// That map is made once a type.
func TestManyFaultyEntriesCheap(t *testing.T) {
	const n = 2000
	doc := "channels: [" + strings.Repeat("{}, ", n-1) + "{}]\n"
	bytes, err := parseBytes(t, doc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:1: channels[0]: kind: missing")
	t.Logf("%d entries: %d MB allocated, %d KB an entry", n, bytes>>20, bytes/n>>10)
	assert.Less(t, bytes/n, uint64(40<<10), "bytes allocated an entry")
}
