package boltstore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A new store file is a new name in its directory: until the directory
// is synced, a power failure may lose the name, and with it the file and
// every mark it holds, however often the file itself was synced. Open
// syncs the file's directory before it returns, also for an existing
// file, which an Open that failed or an earlier version of this package
// may have created without.
func TestOpenSyncsTheDirectoryOfANewFile(t *testing.T) {
	var synced []string
	defer func(f func(string) error) { syncDir = f }(syncDir)
	syncDir = func(dir string) error {
		synced = append(synced, dir)
		return syncDirectory(dir)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.Equal(t, []string{dir}, synced, "the new file's directory")

	synced = nil
	s, err = Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.Equal(t, []string{dir}, synced, "an existing file's directory")

	// A directory that cannot be synced fails Open, naming the file.
	syncDir = func(string) error { return os.ErrPermission }
	_, err = Open(filepath.Join(dir, "other.db"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "other.db"))
	assert.ErrorIs(t, err, os.ErrPermission)
}
