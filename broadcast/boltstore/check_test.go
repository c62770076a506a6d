package boltstore

import (
	"context"
	"path/filepath"
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
	}{
		{"thread cut short", bucketThreads, []string{"inc", "x"}, threadValue(time.Now(), good, good[:len(good)-1]),
			threadOf("inc"), "a thread does not decode: a length of 1, with 0 bytes left"},
		{"thread with bytes left over", bucketThreads, []string{"inc", "x"},
			append(threadValue(time.Now(), good, good), 0), threadOf("inc"), "a thread does not decode: 1 bytes left over"},
		{"thread without its time", bucketThreads, []string{"inc", "x"}, []byte{1, 2}, threadOf("inc"),
			"a thread does not decode: cut short"},
		{"receipt with a length past its end", bucketReceipts, []string{"u1", "x"},
			receiptValue(time.Now(), "inc", []byte{0x7f, 'x'}), receiptOf("u1"),
			"a receipt does not decode: a length of 127, with 1 bytes left"},
		{"receipt with too many meta entries", bucketReceipts, []string{"u1", "x"},
			receiptValue(time.Now(), "inc", append(good[:len(good)-5], 0x7f)), receiptOf("u1"),
			"a receipt does not decode: 127 meta entries in 0 bytes"},
		{"receipt with a bad time", bucketReceipts, []string{"u1", "x"},
			receiptValue(time.Now(), "inc", []byte{1, 'x', 0, 0, 0, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}), receiptOf("u1"),
			"a receipt does not decode: 1000000000 nanoseconds"},
		{"mark without its time", bucketMarks, []string{"u1", "x", ""}, []byte{1, 2, 3}, markOf("u1"),
			"a mark is 3 bytes, too short for its time"},
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
			assert.Contains(t, err.Error(), "boltstore: store file damaged: "+path+": "+tt.detail)
			_, err = s.Prune(context.Background(), time.Time{})
			assert.ErrorIs(t, err, ErrDamaged, "Prune")
			assert.ErrorIs(t, s.Mark(context.Background(), "u2", "x", "", nil), ErrDamaged, "no write after damage")
		})
	}
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
