package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkMark is one channel marking its recipients one after another:
// one commit and one sync per Mark.
func BenchmarkMark(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if err := s.Mark(ctx, "u_0123456789abcdef", "email", fmt.Sprintf("rcpt-%d@example.com", i), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarkParallel is many goroutines marking at once, as a channel
// sending with several connections does: their marks share commits.
func BenchmarkMarkParallel(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			target := fmt.Sprintf("rcpt-%d@example.com", n.Add(1))
			if err := s.Mark(ctx, "u_0123456789abcdef", "email", target, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDone is the Ledger's check before each recipient.
func BenchmarkDone(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for i := range 2000 {
		if err := s.Mark(ctx, "u_0123456789abcdef", "email", fmt.Sprintf("rcpt-%d@example.com", i), nil); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := s.Done(ctx, "u_0123456789abcdef", "email", fmt.Sprintf("rcpt-%d@example.com", i%4000)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteStrategies compares the committer with bbolt's own
// DB.Update (one commit per write) and DB.Batch (grouped after a delay),
// alone and with many writers.
func BenchmarkWriteStrategies(b *testing.B) {
	strategies := []struct {
		name  string
		write func(s *Store, fn func(*bolt.Tx) error) error
	}{
		{"committer", func(s *Store, fn func(*bolt.Tx) error) error { return s.commit.write(fn) }},
		{"Update", func(s *Store, fn func(*bolt.Tx) error) error { return s.db.Update(fn) }},
		{"Batch", func(s *Store, fn func(*bolt.Tx) error) error { return s.db.Batch(fn) }},
	}
	for _, st := range strategies {
		put := func(s *Store, i int64) error {
			k := fmt.Appendf(nil, "k%d", i)
			return st.write(s, func(tx *bolt.Tx) error { return tx.Bucket(bucketMarks).Put(k, nil) })
		}
		b.Run(st.name+"/alone", func(b *testing.B) {
			s := benchStore(b)
			var i int64
			for b.Loop() {
				i++
				if err := put(s, i); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/parallel", func(b *testing.B) {
			s := benchStore(b)
			var n atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := put(s, n.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
