package statuspage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file of the site is linked to one of the same bytes written into the
// version before it (see writer.put) only when the bytes are the same on
// disk: the writer keeps no caller's buffer, which may be filled again
// with another file's bytes after put returns (and which, for every page
// written, would be held until the version is written). Before, put kept
// data itself and compared the next file with it: a buffer filled again
// with the next file's bytes matched them, and the next file was linked
// to a file of other bytes.
func TestTwinsComparedWithTheFileWritten(t *testing.T) {
	root := t.TempDir()
	w := newWriter(root, "", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	buf := []byte("first page")
	require.NoError(t, w.put(siteName+"/a.html", buf))
	copy(buf, "other page") // the caller's buffer, filled again
	require.NoError(t, w.put(siteName+"/b.html", buf))
	copy(buf, "first page")
	require.NoError(t, w.put(siteName+"/c.html", buf))

	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(root, siteName, name))
		require.NoError(t, err)
		return string(data)
	}
	assert.Equal(t, "first page", read("a.html"))
	assert.Equal(t, "other page", read("b.html"))
	assert.Equal(t, "first page", read("c.html"))
	a, err := os.Stat(filepath.Join(root, siteName, "a.html"))
	require.NoError(t, err)
	c, err := os.Stat(filepath.Join(root, siteName, "c.html"))
	require.NoError(t, err)
	assert.True(t, os.SameFile(a, c), "c.html, of a.html's bytes, is a link to it")
	assert.Equal(t, 1, w.stats.twins)
}
