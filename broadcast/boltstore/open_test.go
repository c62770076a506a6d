package boltstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// TestDamagedMetaPageLosesNoMark: bbolt keeps two meta pages, the newer
// written by the last commit. With the newer damaged, bbolt silently uses
// the older one, which does not have the last mark.
func TestDamagedMetaPageLosesNoMark(t *testing.T) {
	dir := t.TempDir()
	data := markedStore(t, filepath.Join(dir, "store.db"), "first@example.com", "last@example.com")
	ps := os.Getpagesize()
	for page := range 2 {
		t.Run(fmt.Sprint("page ", page), func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("damaged-%d.db", page))
			damaged := bytes.Clone(data)
			clear(damaged[page*ps : (page+1)*ps])
			require.NoError(t, os.WriteFile(path, damaged, 0o600))
			s, err := boltstore.Open(path, nil)
			if err != nil {
				assert.ErrorIs(t, err, boltstore.ErrDamaged)
				return
			}
			defer s.Close()
			done, _, err := s.Done(context.Background(), "u1", "email", "last@example.com")
			if err == nil {
				assert.True(t, done, "the last mark is lost")
			}
		})
	}
}

// TestOpenWritesNothing: opening and closing a store leaves its file as it
// was, so that Open never changes a file it then finds damaged.
func TestOpenWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	before := markedStore(t, path, "ada@example.com")
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after), "the file changed")
}

// TestDamagedWhileOpen: a store whose file is cut short while it is open
// fails every call with ErrDamaged rather than crash, and closes.
func TestDamagedWhileOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	markedStore(t, path, "ada@example.com")
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(path, int64(2*os.Getpagesize())))

	ctx := context.Background()
	_, _, err = s.Done(ctx, "u1", "email", "ada@example.com")
	require.ErrorIs(t, err, boltstore.ErrDamaged)
	assert.Contains(t, err.Error(), "boltstore: store file damaged: "+path+": reading a page faulted")
	assert.ErrorIs(t, s.Mark(ctx, "u1", "email", "bob@example.com", nil), boltstore.ErrDamaged,
		"no write after damage was found")
	_, err = s.Thread(ctx, "inc", "email")
	assert.ErrorIs(t, err, boltstore.ErrDamaged)
	_, _, err = s.Receipt(ctx, "u1", "email")
	assert.ErrorIs(t, err, boltstore.ErrDamaged)
	assert.ErrorIs(t, s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "email"}), boltstore.ErrDamaged)
	_, err = s.Prune(ctx, time.Now())
	assert.ErrorIs(t, err, boltstore.ErrDamaged)
	require.NoError(t, s.Close())

	_, err = boltstore.Open(path, nil)
	assert.ErrorIs(t, err, boltstore.ErrDamaged, "the lock is released and Open finds the damage")
}

// TestVerify: Options.Verify finds a damaged page that Open's quick checks
// do not read: a leaf page of marks.
func TestVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	targets := make([]string, 500)
	for i := range targets {
		targets[i] = fmt.Sprintf("rcpt-%03d@example.com", i)
	}
	data := markedStore(t, path, targets...)
	ps := os.Getpagesize()
	tried := 0
	for _, leaf := range leaves(t, path) {
		damaged := bytes.Clone(data)
		clear(damaged[leaf*ps : (leaf+1)*ps])
		require.NoError(t, os.WriteFile(path, damaged, 0o600))
		s, err := boltstore.Open(path, nil)
		if err != nil {
			continue // a leaf that Open reads: the buckets' root
		}
		require.NoError(t, s.Close())
		_, err = boltstore.Open(path, &boltstore.Options{Verify: true})
		require.ErrorIs(t, err, boltstore.ErrDamaged, "page %d", leaf)
		assert.Contains(t, err.Error(), fmt.Sprintf("Page expected to be: %d, but self identifies as 0", leaf))
		tried++
	}
	assert.Greater(t, tried, 5, "leaf pages of marks")
}

// leaves returns the leaf pages in use in the bbolt file at path.
func leaves(t *testing.T, path string) []int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer db.Close()
	var ids []int
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if p == nil || err != nil {
				return err
			}
			if p.Type == "leaf" {
				ids = append(ids, id)
			}
		}
	}))
	return ids
}
