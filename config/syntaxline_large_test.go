package config_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// padded returns head, then a list of channels that fills the file to
// about size bytes.
func padded(head string, size int) string {
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("channels:\n")
	for i := 0; b.Len() < size-30; i++ {
		fmt.Fprintf(&b, "  - console://x%d\n", i)
	}
	return b.String()
}

// An error early in a file of 1 MB was named at the line the YAML library
// gives, that of the block or list that holds it (line 1 or 2 for an error
// on line 3): the search for the line that breaks parsed the file again
// from its end, line by line, and its budget ran out long before line 3.
// The line is the same whatever follows it.
func TestSyntaxErrorEarlyInLargeFileNamesItsLine(t *testing.T) {
	tests := []struct{ name, head, want string }{
		{"value", "retry:\n  max_attempts: 3\n  max_interval: @1s\n", `test.yaml:3: retry.max_interval: quote a value that starts with "@"`},
		{"indented too far", "retry:\n  max_attempts: 3\n   max_interval: 1s\n", `test.yaml:3: retry.max_interval: check the indentation`},
		{"indented too little", "retry:\n  max_attempts: 3\n max_interval: 1s\n", `test.yaml:3: retry.max_interval: check the indentation`},
		{"at the top level", "state: x.db\nattempt_timeout: 5s\n stage_wait: 1s\n", `test.yaml:3: `},
		{"list not closed", "retry:\n  max_attempts: [3\n  max_interval: 1s\n", `test.yaml:2: retry.max_attempts: "[" not closed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{300, config.MaxFileSize} {
				_, _, err := parse(t, padded(tt.head, size), nil)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want, "file of %d bytes", size)
			}
		})
	}
}

// A file whose prefixes all fail at their end (a flow list of 1 MB that
// breaks on its last line) cannot be searched for its line within the
// search's budget: its error says the line is unknown, and names no other.
func TestSyntaxErrorLineNotFoundNamesNone(t *testing.T) {
	var b strings.Builder
	b.WriteString("channels: [console://]\nstages: [\n")
	n := 2
	for b.Len() < config.MaxFileSize-300 {
		b.WriteString("  " + strings.Repeat("x", 200) + ",\n")
		n++
	}
	b.WriteString("  [a, b]}\n") // the YAML library names line 1
	n++
	_, _, err := parse(t, b.String(), nil)
	require.Error(t, err)
	t.Log(err)
	if m := regexp.MustCompile(`test\.yaml:(\d+):`).FindStringSubmatch(err.Error()); m != nil {
		assert.Equal(t, fmt.Sprint(n), m[1], "the line named")
	} else {
		assert.Contains(t, err.Error(), "test.yaml: line unknown: ")
	}
}
