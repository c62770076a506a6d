package regfile

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Read refuses what is not a regular file, by its mode, and a file larger
// than the limit; the error names the file.
func TestRead(t *testing.T) {
	fsys := fstest.MapFS{
		"ok":   {Data: []byte("abc")},
		"pipe": {Mode: fs.ModeNamedPipe},
		"dev":  {Mode: fs.ModeDevice | fs.ModeCharDevice},
		"dir":  {Mode: fs.ModeDir},
		"big":  {Data: []byte("abcd")},
	}
	data, err := Read(fsys, "ok", 3)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(data))
	for name, want := range map[string]string{
		"pipe": "pipe is not a regular file (a named pipe)",
		"dev":  "dev is not a regular file (a device)",
		"dir":  "dir is not a regular file (a directory)",
		"big":  "big is larger than 3 bytes",
	} {
		_, err := Read(fsys, name, 3)
		assert.EqualError(t, err, want, name)
	}
}
