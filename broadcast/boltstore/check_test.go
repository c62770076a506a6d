package boltstore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
)

// TestUndecodableEntries: an entry this package wrote but cannot decode was
// damaged in the file. The read that finds it fails with ErrDamaged, and so
// do later calls, Prune among them; nothing is taken for missing.
func TestUndecodableEntries(t *testing.T) {
	r := broadcast.Receipt{Channel: "x", ID: "1", Time: time.Now(), Meta: map[string]string{"a": "b"}}
	good := appendReceipt(nil, r)
	tests := []struct {
		name   string
		bucket []byte
		key    []string
		value  []byte
		read   func(s *Store) error
		detail string
		at     string // the entry, as the error names it
	}{
		{"thread cut short", bucketThreads, []string{"inc", "x"}, threadValue(time.Now(), good, good[:len(good)-1]),
			threadOf("inc"), "a thread does not decode: a length of 1, with 0 bytes left", threadAt},
		{"thread with bytes left over", bucketThreads, []string{"inc", "x"},
			append(threadValue(time.Now(), good, good), 0), threadOf("inc"), "a thread does not decode: 1 bytes left over", threadAt},
		{"thread without its time", bucketThreads, []string{"inc", "x"}, []byte{1, 2}, threadOf("inc"),
			"a thread does not decode: cut short", threadAt},
		{"receipt with a length past its end", bucketReceipts, []string{"u1", "x"},
			receiptValue(time.Now(), "inc", []byte{0x7f, 'x'}), receiptOf("u1"),
			"a receipt does not decode: a length of 127, with 1 bytes left", receiptAt},
		{"receipt with too many meta entries", bucketReceipts, []string{"u1", "x"},
			receiptValue(time.Now(), "inc", append(good[:len(good)-5], 0x7f)), receiptOf("u1"),
			"a receipt does not decode: 127 meta entries in 0 bytes", receiptAt},
		{"receipt with a bad time", bucketReceipts, []string{"u1", "x"},
			receiptValue(time.Now(), "inc", []byte{1, 'x', 0, 0, 0, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}), receiptOf("u1"),
			"a receipt does not decode: 1000000000 nanoseconds", receiptAt},
		{"mark without its time", bucketMarks, []string{"u1", "x", ""}, []byte{1, 2, 3}, markOf("u1"),
			"a mark is 3 bytes, too short for its time", markAt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			s, err := Open(path, nil)
			require.NoError(t, err)
			defer func() { require.NoError(t, s.Close()) }()
			k, err := key(tt.key...)
			require.NoError(t, err)
			require.NoError(t, s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(tt.bucket).Put(k, tt.value) }))

			err = tt.read(s)
			require.ErrorIs(t, err, ErrDamaged)
			assert.Contains(t, err.Error(), "boltstore: store file damaged: "+path+": "+tt.detail+" (at "+tt.at+")")
			_, err = s.Prune(context.Background(), time.Time{})
			assert.ErrorIs(t, err, ErrDamaged, "Prune")
			assert.ErrorIs(t, s.Mark(context.Background(), "u2", "x", "", nil), ErrDamaged, "no write after damage")
		})
	}
}

// The entries of TestUndecodableEntries, as their errors name them.
const (
	threadAt  = `incident "inc", channel "x"`
	receiptAt = `update "u1", channel "x"`
	markAt    = `update "u1", channel "x", target ""`
)

// TestBucketInPlaceOfEntry: a bucket where a thread, a receipt or a mark
// should be is damage. bbolt reads a bucket's value as nil: Done took it
// for no mark and the update was sent again, Thread and Receipt for none,
// and writes failed with bbolt's "incompatible value", naming neither the
// file nor the entry.
func TestBucketInPlaceOfEntry(t *testing.T) {
	ctx := context.Background()
	save := func(s *Store) error {
		return s.SaveReceipt(ctx, "inc", "u1", broadcast.Receipt{Channel: "x", ID: "1"})
	}
	tests := []struct {
		name   string
		bucket []byte
		key    []string
		call   func(s *Store) error
		detail string
	}{
		{"Done", bucketMarks, []string{"u1", "x", ""}, markOf("u1"), "a bucket where a mark should be (at " + markAt + ")"},
		{"Mark", bucketMarks, []string{"u1", "x", ""}, func(s *Store) error { return s.Mark(ctx, "u1", "x", "", nil) },
			"a bucket where a mark should be (at " + markAt + ")"},
		{"Thread", bucketThreads, []string{"inc", "x"}, threadOf("inc"), "a bucket where a thread should be (at " + threadAt + ")"},
		{"SaveReceipt, thread", bucketThreads, []string{"inc", "x"}, save,
			"a bucket where a thread should be (at " + threadAt + ")"},
		{"Receipt", bucketReceipts, []string{"u1", "x"}, receiptOf("u1"), "a bucket where a receipt should be (at " + receiptAt + ")"},
		{"SaveReceipt, receipt", bucketReceipts, []string{"u1", "x"}, save,
			"a bucket where a receipt should be (at " + receiptAt + ")"},
		{"Prune", bucketMarks, []string{"u1", "x", ""}, func(s *Store) error {
			_, err := s.Prune(ctx, time.Now())
			return err
		}, "(at " + markAt + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			s, err := Open(path, nil)
			require.NoError(t, err)
			defer func() { require.NoError(t, s.Close()) }()
			k, err := key(tt.key...)
			require.NoError(t, err)
			require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
				_, err := tx.Bucket(tt.bucket).CreateBucket(k)
				return err
			}))

			err = tt.call(s)
			require.ErrorIs(t, err, ErrDamaged)
			assert.Contains(t, err.Error(), "boltstore: store file damaged: "+path+": ")
			assert.Contains(t, err.Error(), tt.detail)
			assert.ErrorIs(t, s.Mark(ctx, "u2", "x", "", nil), ErrDamaged, "no write after damage")
		})
	}
}

// TestDamageNamesLongKeyParts: an entry's key parts are named in
// the error by their first 64 bytes, quoted, so that an id of 30 kB or
// one holding NUL or invalid UTF-8 gives a readable line.
func TestDamageNamesLongKeyParts(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	long := string(bytes.Repeat([]byte("u"), 30000))
	k, err := key(long, "x\x00\xff", "")
	require.NoError(t, err)
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMarks).Put(k, []byte{1}) }))
	_, _, err = s.Done(context.Background(), long, "x\x00\xff", "")
	require.ErrorIs(t, err, ErrDamaged)
	assert.Contains(t, err.Error(), `(at update "`+long[:64]+`…", channel "x\x00\xff", target "")`)
	assert.Less(t, len(err.Error()), 1000)
}

// TestPruneFindsUndecodableEntries: Prune reads every entry's time, and
// fails on one it cannot read rather than keep or remove it blind.
func TestPruneFindsUndecodableEntries(t *testing.T) {
	for name, bucket := range map[string][]byte{"thread": bucketThreads, "receipt": bucketReceipts, "mark": bucketMarks} {
		t.Run(name, func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
			require.NoError(t, err)
			defer func() { require.NoError(t, s.Close()) }()
			require.NoError(t, s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte{1, 'a', 1, 'b'}, []byte{1}) }))
			n, err := s.Prune(context.Background(), time.Now())
			require.ErrorIs(t, err, ErrDamaged)
			assert.Zero(t, n)
		})
	}
}

func threadOf(incident string) func(s *Store) error {
	return func(s *Store) error {
		_, err := s.Thread(context.Background(), incident, "x")
		return err
	}
}

func receiptOf(update string) func(s *Store) error {
	return func(s *Store) error {
		_, _, err := s.Receipt(context.Background(), update, "x")
		return err
	}
}

func markOf(update string) func(s *Store) error {
	return func(s *Store) error {
		_, _, err := s.Done(context.Background(), update, "x", "")
		return err
	}
}

// TestDiskErrorNamesFile: an error of the disk names the store's file.
// bbolt returns a failed sync's error (a full disk, an I/O error) as the
// system gave it, without the file's name: the error was "boltstore: mark:
// no space left on device", which did not say which disk was full.
func TestDiskErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	err = s.write(func(*bolt.Tx) error { return syscall.ENOSPC }) // as bbolt's fdatasync gives it
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.EqualError(t, wrap("mark", err), "boltstore: mark: "+path+": no space left on device")
	err = s.read(func(*bolt.Tx) error { return syscall.EIO })
	assert.EqualError(t, wrap("done", err), "boltstore: done: "+path+": input/output error")
	err = s.write(func(*bolt.Tx) error { return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC} })
	assert.EqualError(t, wrap("mark", err), "boltstore: mark: write "+path+": no space left on device", "named once")
	err = s.update(func(*bolt.Tx) error { return context.Canceled }) // Prune's, ended during its scan
	assert.EqualError(t, wrap("prune", err), "boltstore: prune: context canceled")
	require.NoError(t, s.Mark(context.Background(), "u1", "x", "", nil), "not damage: the store goes on")
}

// TestPruneFindsEntriesThatDoNotDecode: an entry whose time reads but
// whose rest does not decode (a thread cut short, a receipt with a length
// past its end) is damage to Prune too, as the package doc says: Prune
// removes nothing and fails with ErrDamaged. It read only the times (and a
// receipt's incident), and removed such an old entry, returning nil, or
// kept it, without a word.
func TestPruneFindsEntriesThatDoNotDecode(t *testing.T) {
	r := broadcast.Receipt{Channel: "x", ID: "1", Time: time.Now(), Meta: map[string]string{"a": "b"}}
	good := appendReceipt(nil, r)
	old := time.Now().Add(-time.Hour)
	tests := []struct {
		name   string
		bucket []byte
		key    []string
		value  []byte
		read   func(s *Store) error
	}{
		{"thread cut short", bucketThreads, []string{"inc", "x"}, threadValue(old, good, good[:len(good)-1]),
			threadOf("inc")},
		{"thread with bytes left over", bucketThreads, []string{"inc", "x"},
			append(threadValue(old, good, good), 0), threadOf("inc")},
		{"receipt with a length past its end", bucketReceipts, []string{"u1", "x"},
			receiptValue(old, "inc", []byte{0x7f, 'x'}), receiptOf("u1")},
		{"receipt with too many meta entries", bucketReceipts, []string{"u1", "x"},
			receiptValue(old, "inc", append(good[:len(good)-5], 0x7f)), receiptOf("u1")},
		{"receipt of a kept mark, with a bad time", bucketReceipts, []string{"u1", "x"},
			receiptValue(old, "inc", []byte{1, 'x', 0, 0, 0, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}), receiptOf("u1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
			require.NoError(t, err)
			defer func() { require.NoError(t, s.Close()) }()
			k, err := key(tt.key...)
			require.NoError(t, err)
			require.NoError(t, s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(tt.bucket).Put(k, tt.value) }))
			if strings.Contains(tt.name, "kept mark") {
				require.NoError(t, s.Mark(context.Background(), "u1", "x", "", nil))
			}

			n, err := s.Prune(context.Background(), time.Now())
			require.ErrorIs(t, err, ErrDamaged, "Prune")
			assert.Zero(t, n)
			require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
				assert.NotNil(t, tx.Bucket(tt.bucket).Get(k), "the entry is still there")
				return nil
			}))
			assert.ErrorIs(t, tt.read(s), ErrDamaged)
		})
	}
}
