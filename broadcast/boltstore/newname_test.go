package boltstore_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// A new store whose name is as long as a file system allows (255 bytes)
// opens: the temporary file Open writes it in first has a name of its
// own, not longer, and is gone afterwards.
func TestNewFileWithALongName(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("é", 125) + ".db" // 253 bytes
	s, err := boltstore.Open(filepath.Join(dir, name), nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, name, entries[0].Name())
}
