package boltstore

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Close's error names the file, as every other call's does: bbolt's
// "bolt.Close(): funlock error: bad file descriptor" named none, and a
// program with several stores could not tell which failed.
func TestCloseErrorNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.db.file.Close()) // the file taken from under bbolt

	err = s.Close()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "boltstore: close: "+path+": "), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), path), "the file named once: %s", err)
}
