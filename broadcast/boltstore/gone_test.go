package boltstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// A store whose file is deleted, moved away or replaced while it is open
// fails Mark and SaveReceipt, naming the file, rather than acknowledge
// writes that go into a file no Open finds again. Before, they returned
// nil, and the next Open of the path found none of them: every update
// marked sent since was sent again.
func TestFileGoneWhileOpen(t *testing.T) {
	for name, remove := range map[string]func(t *testing.T, path string){
		"deleted": func(t *testing.T, path string) { require.NoError(t, os.Remove(path)) },
		"moved":   func(t *testing.T, path string) { require.NoError(t, os.Rename(path, path+".old")) },
		"replaced": func(t *testing.T, path string) {
			other := filepath.Join(filepath.Dir(path), "other.db")
			s, err := boltstore.Open(other, nil)
			require.NoError(t, err)
			require.NoError(t, s.Close())
			require.NoError(t, os.Rename(other, path))
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			s, err := boltstore.Open(path, nil)
			require.NoError(t, err)
			ctx := context.Background()
			require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
			remove(t, path)

			want := path + " was deleted, moved or replaced while the store had it open"
			err = s.Mark(ctx, "u1", "email", "bob@example.com", nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "boltstore: mark: "+want)
			err = s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "x", ID: "1"})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "boltstore: save receipt: "+want)
			done, _, err := s.Done(ctx, "u1", "email", "ada@example.com")
			require.NoError(t, err, "reads go on")
			assert.True(t, done)
			require.NoError(t, s.Close())
		})
	}
}
