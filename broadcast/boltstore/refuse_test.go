package boltstore_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// TestOpenRefusesWithoutWriting: Open refuses a bbolt file of another
// program, or a store of a newer format version, without changing a byte
// of it. Such a file written without a free-page list (bbolt's
// NoFreelistSync, as etcd writes) was given one: Open opened it for
// writing, and bbolt committed a transaction into it, before the format
// was checked.
func TestOpenRefusesWithoutWriting(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]string // of the bucket "meta"; nil: another program's bucket
		want   error
	}{
		{"bbolt file of another program", nil, boltstore.ErrInvalidFile},
		{"newer format version", map[string]string{"format": "outagecast/broadcast.Store", "version": "3"},
			boltstore.ErrVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			name, values := "meta", tt.values
			if values == nil {
				name, values = "widgets", map[string]string{"w1": "blue"}
			}
			writeBoltFile(t, path, &bolt.Options{NoFreelistSync: true}, name, values)
			before, err := os.ReadFile(path)
			require.NoError(t, err)

			s, err := boltstore.Open(path, nil)
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, s)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "the refused file changed")
		})
	}
}
