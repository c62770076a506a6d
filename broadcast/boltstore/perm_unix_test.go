//go:build unix

package boltstore_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// TestOpenTightensMode: the store holds recipient addresses. A new file is
// made 0600; an existing store that others may read (restored from a
// backup, copied with cp) loses its group and other permissions on Open,
// whatever the umask, rather than stay readable, and it stays usable. A
// file that is not a store is refused and left as it was.
func TestOpenTightensMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	markedStore(t, path, "ada@example.com")
	for _, mode := range []os.FileMode{0o644, 0o666, 0o640, 0o604, 0o700} {
		require.NoError(t, os.Chmod(path, mode))
		s, err := boltstore.Open(path, nil)
		require.NoError(t, err)
		st, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, mode&0o700, st.Mode().Perm(), "from %v", mode)
		require.NoError(t, s.Close())
	}

	other := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(other, []byte("not a store, another program's file"), 0o600))
	require.NoError(t, os.Chmod(other, 0o644))
	_, err := boltstore.Open(other, nil)
	require.ErrorIs(t, err, boltstore.ErrInvalidFile)
	st, err := os.Stat(other)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "a file that is not a store is left alone")
}
