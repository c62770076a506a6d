package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
)

// fillUpdates writes updates updates straight to s's file, all stamped at:
// each a channel's mark, its receipt and its incident's thread, an
// incident of its own.
func fillUpdates(tb testing.TB, s *Store, updates int, at time.Time) {
	tb.Helper()
	enc := appendReceipt(nil, broadcast.Receipt{Channel: "x", ID: "post"})
	for start := 0; start < updates; start += 10_000 {
		err := s.db.update(func(tx *bolt.Tx) error {
			for i := start; i < min(start+10_000, updates); i++ {
				u, inc := fmt.Sprintf("u_%016x", i), fmt.Sprintf("inc-%d", i)
				mk, _ := key(u, "x", "")
				rk, _ := key(u, "x")
				tk, _ := key(inc, "x")
				if err := tx.Bucket(bucketMarks).Put(mk, markValue(at, nil)); err != nil {
					return err
				}
				if err := tx.Bucket(bucketReceipts).Put(rk, receiptValue(at, inc, enc)); err != nil {
					return err
				}
				if err := tx.Bucket(bucketThreads).Put(tk, threadValue(at, enc, enc)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkPrune is a Prune that removes nothing (a cutoff before every
// entry) over a store of 100,000 updates, each a mark, a receipt and a
// thread: its walk alone.
func BenchmarkPrune(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	fillUpdates(b, s, 100_000, at)
	b.ReportAllocs()
	for b.Loop() {
		if n, err := s.Prune(context.Background(), at.Add(-time.Hour)); err != nil || n != 0 {
			b.Fatal(n, err)
		}
	}
}
