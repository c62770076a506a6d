package boltstore

import (
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// TestDiskErrorNamesAShortlyNamedFile: a disk's error names the store's
// file also when the file's name is a part of the error's words. The error
// was left as it was when its text held the name anywhere: a store in the
// file "e" failed with "boltstore: mark: no space left on device" (the "e"
// of "space").
func TestDiskErrorNamesAShortlyNamedFile(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := Open("e", nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	err = s.write(func(*bolt.Tx) error { return syscall.ENOSPC })
	assert.EqualError(t, wrap("mark", err), "boltstore: mark: e: no space left on device")
	err = s.write(func(*bolt.Tx) error { return &os.PathError{Op: "truncate", Path: "e", Err: syscall.EFBIG} })
	assert.EqualError(t, wrap("mark", err), "boltstore: mark: truncate e: file too large", "named once")
	err = s.write(func(*bolt.Tx) error { return &os.PathError{Op: "write", Path: "e", Err: syscall.ENOSPC} })
	assert.EqualError(t, wrap("mark", err), "boltstore: mark: write e: no space left on device", "named once")
}

// TestCloseErrorNamesAShortlyNamedFile: as above, for Close.
func TestCloseErrorNamesAShortlyNamedFile(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := Open("e", nil)
	require.NoError(t, err)
	require.NoError(t, s.db.file.Close()) // the file taken from under bbolt
	err = s.Close()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "boltstore: close: e: "), err.Error())
}
