package config_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// allocatedBy returns the bytes f allocates, and f's error.
func allocatedBy(f func() error) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

// parseBytes returns the bytes a Parse of doc allocates, and its error.
func parseBytes(t *testing.T, doc string) (uint64, error) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "test.yaml")
	l := config.Loader{LookupEnv: env(nil), Stdout: &strings.Builder{}, Stderr: &strings.Builder{}}
	return allocatedBy(func() error {
		_, err := l.Parse(strings.NewReader(doc), name)
		return err
	})
}

// A syntax error after a value nested deep in lists ("a: [[[…]]]", 18 KB)
// cost its error 137 MB and a second: the search for the path of the key
// on the line that breaks wrote the path of every list it went through,
// each longer than the one before it. It writes the path of the key it
// finds, no other.
func TestSyntaxErrorAfterDeepNestingCheap(t *testing.T) {
	const depth = 8000
	doc := "a: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\nb: @x\n"
	bytes, err := parseBytes(t, doc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `test.yaml:2: b: quote a value that starts with "@"`)
	t.Logf("%d MB allocated", bytes>>20)
	assert.Less(t, bytes, uint64(40<<20), "bytes allocated for the error of an 18 KB file")
}

// deepFile returns a file of about size bytes, of mappings nested 10
// deep, then last.
func deepFile(size int, last string) string {
	var b strings.Builder
	b.WriteString("a:\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  b%d:\n", i)
		for d := 2; d <= 9; d++ {
			fmt.Fprintf(&b, "%s%c:\n", strings.Repeat("  ", d), 'a'+d)
		}
		fmt.Fprintf(&b, "%sz: 1\n", strings.Repeat("  ", 10))
	}
	return b.String() + last + "\n"
}

// The search for the path of the key on the line that breaks the file
// parses the file up to that line again for each indentation it tries: a
// file of 1 MB whose last line's key no indentation makes YAML ("@password:
// 1") was parsed 9 times more, 4 seconds and 340 MB for its error, where
// the rest of it costs under 70 MB. A key that is no plain key of its own
// is not tried, nor an indentation tried twice, and the tries parse at most
// a few times the largest file.
func TestSyntaxKeyPathReparsesBounded(t *testing.T) {
	for _, last := range []string{"   @password: 1", "   %password: 1"} {
		doc := deepFile(config.MaxFileSize-200, last)
		require.LessOrEqual(t, len(doc), config.MaxFileSize)
		bytes, err := parseBytes(t, doc)
		require.Error(t, err)
		t.Logf("%q: %d MB allocated: %v", last, bytes>>20, err)
		assert.Less(t, bytes, uint64(160<<20), "bytes allocated for the error of a 1 MB file")
	}
}

// A line indented to no level is named at the level nearest its own
// indentation among those open at the line before it: "   allow_unsigned"
// (3 spaces) after a webhook's headers was named
// "channels[0].headers.allow_unsigned", one of the headers, 6 spaces in,
// where the channel's keys are 4 spaces in.
func TestSyntaxErrorIndentationNamesNearestLevel(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"after a nested mapping", lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    headers:",
			"      X-Source: outagecast", "   allow_unsigned: true"), "test.yaml:6: channels[0].allow_unsigned: check the indentation"},
		{"after a deeper list", lines("retry:", "  max_attempts: 3", "channels:", "  - kind: irc", "    server: irc.example.com",
			"    channels:", "      - '#ops'", "   nick: statusbot"), "test.yaml:8: channels[0].nick: check the indentation"},
		{"deep file", deepFile(2000, "   password: 1"), ".password: check the indentation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.yaml, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), ".j.password", "at the level of the last line")
		})
	}
}

// A file of a second document (after "---") that breaks: the line named
// was the file's last, whatever line broke, and its key not by its path,
// as the search for that line and that path parsed the first document
// only. (The file is refused for its second document too, once it parses.)
func TestSyntaxErrorInSecondDocumentNamesItsLine(t *testing.T) {
	_, _, err := parse(t, lines("channels: [console://]", "---", "retry:", "  max_attempts: @3", "  max_interval: 1s",
		"attempt_timeout: 5s"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `test.yaml:4: retry.max_attempts: quote a value that starts with "@"`)
}
