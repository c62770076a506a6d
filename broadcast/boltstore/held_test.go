package boltstore

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// An Open that finds the file locked while another Open of this process
// is under way cannot tell which of the two holds it, and says so; once
// that Open has failed too, the lock is another process's.
func TestOpenLockedWhileAnotherOpenIsUnderWay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	// The lock of a program other than this package's Stores.
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer db.Close()

	other := hold(path) // an Open under way
	defer other.release()
	_, err = Open(path, &Options{LockTimeout: -1})
	require.ErrorIs(t, err, ErrLocked)
	assert.EqualError(t, err, "boltstore: file locked by another process, or by another Open of this process under way: "+path)

	other.failed(-1)
	_, err = Open(path, &Options{LockTimeout: -1})
	require.ErrorIs(t, err, ErrLocked)
	assert.EqualError(t, err, "boltstore: file locked by another process: "+path)
}
