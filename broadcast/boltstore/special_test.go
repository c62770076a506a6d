//go:build unix

package boltstore_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// A path that names a named pipe is refused at once, naming it: opening
// it would block Open for ever, waiting for a writer.
func TestOpenRefusesANamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	s, err := boltstore.Open(path, nil)
	require.Error(t, err)
	assert.Nil(t, s)
	assert.Contains(t, err.Error(), "boltstore: open "+path+": not a regular file")
}

// Lock's error, when its context ends first, says which call failed, as
// the other calls' errors do, and still matches the context's.
func TestLockErrorNamesTheCall(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer s.Close()
	key := broadcast.LockKey{Channel: "x", UpdateID: "u"}
	unlock, err := s.Lock(context.Background(), key)
	require.NoError(t, err)
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Lock(ctx, key)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "boltstore: lock: ")
}
