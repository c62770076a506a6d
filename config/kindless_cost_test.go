package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file of channel entries, each a fault, whose kind is not known (none
// written, one of no kind, or text that is no URL) cost its Load about
// 2,000 to 3,000 bytes allocated a byte of the file, 3.9 GB for 1 MB of
// "{}": each of the three searches for the secrets its error withholds
// (the file's secrets, the short ones no check quotes, those a channel's
// name is compared with) walked such an entry once for each kind. It is
// walked once for all the kinds, an entry with nothing in it not at all.
// Then each entry's own fault cost it: the list of the kinds' names made
// anew and its message made whole (of thousands, an error names the
// first), "{}" decoded three times, "a" parsed as a URL five, and the
// secrets of every entry looked for to check the names of the channels
// built when none was.
func TestKindlessEntriesCheapPerByte(t *testing.T) {
	const n = 2000
	for _, tt := range []struct {
		entry, want string
		most        uint64 // bytes allocated a byte of the file, -race's count (more) with a margin
	}{
		{"{}", "test.yaml:1: channels[0]: kind: missing", 800},
		{"a", "test.yaml:1: channels[0]: want a channel URL", 1250},
		{"{kind: nope}", "test.yaml:1: channels[0]: kind: unknown value \"nope\"", 640},
		{"{name: ops, password: hunter22, url: 'x'}", "test.yaml:1: channels[0]: unknown key", 700},
	} {
		doc := "channels: [" + strings.Repeat(tt.entry+", ", n-1) + tt.entry + "]\n"
		bytes, err := parseBytes(t, doc)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.want)
		perByte := bytes / uint64(len(doc))
		t.Logf("%d entries %q, %d KB: %d MB allocated, %d bytes a byte of the file", n, tt.entry, len(doc)>>10, bytes>>20, perByte)
		assert.Less(t, perByte, tt.most, "bytes allocated a byte of a file of %q", tt.entry)
	}
}
