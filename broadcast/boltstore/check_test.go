package boltstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
)

// TestUndecodableReceipt: a receipt this package wrote but cannot decode
// was damaged in the file.
func TestUndecodableReceipt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	require.NoError(t, s.SaveReceipt(ctx, "inc", broadcast.Receipt{Channel: "email", ID: "1"}))
	k, err := key("inc", "email")
	require.NoError(t, err)
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReceipts).Put(k, []byte(`{"saved": "2025-03-01T1`))
	}))

	_, _, err = s.LastReceipt(ctx, "inc", "email")
	require.ErrorIs(t, err, ErrDamaged)
	assert.Contains(t, err.Error(), "boltstore: store file damaged: "+path+": a receipt does not decode: ")
}
