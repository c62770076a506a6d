package redact

import (
	"strings"
	"testing"
)

// hexRuns reads each part of a text a bounded number of times, also where
// runs end on a byte the next run starts with (separators that change at
// every byte): the runs it reads, from start to end, add up to no more
// than twice the text.
func TestHexRunsReadTheTextOnce(t *testing.T) {
	for name, unit := range map[string]string{
		"separators changing": "0a-0b 0c:0d-",
		"pairs":               "0a-0b ",
		"one separator":       "0a 0b 0c 0d ",
		"dump lines":          "00000000  0a 0b 0c 0d  |....|\n",
		"groups":              "4500 003c ",
		"groups and bytes":    "4500 3c 00 ",
		"groups, dump lines":  "00000000: 7333 6372  s3cr\n",
		"tabs":                "0a\t0b\t",
		"tabs and groups":     "0a\t0b 0c0d 0e ",
	} {
		for _, n := range []int{1 << 10, 1 << 16} {
			s := strings.Repeat(unit, n/len(unit))
			var h hexBytes
			read := 0
			for start, end := range hexRuns(s, &h) {
				read += end - start
			}
			if read > 2*len(s) {
				t.Errorf("%s, %d bytes: runs of %d bytes read", name, len(s), read)
			}
		}
	}
}
