// Package golden compares the JSON bodies a channel's tests capture with
// golden files in the package's testdata directory, for tests only.
// "go test -update" rewrites the files; review their diff before
// committing it.
//
// A body is compared as its bytes, indented: key order, escapes ("<" or
// "\u003c") and number forms count, as they do to the platforms that
// measure a body in bytes.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// JSON compares body, indented by two spaces and ending in a newline,
// with testdata/file; with -update it writes the file first.
func JSON(t testing.TB, file string, body []byte) {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, body, "", "  "), "%s: the body is not JSON", file)
	out.WriteByte('\n')
	path := filepath.Join("testdata", file)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write %s", path)
	assert.Equal(t, string(want), out.String(), "%s differs; after an intended change, run go test -update and review the diff", path)
}
