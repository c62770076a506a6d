package boltstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/outagecast/outagecast/broadcast"
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
// one commit, with its syncs, per Mark.
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
		if _, _, err := s.Done(ctx, "u_0123456789abcdef", "email", fmt.Sprintf("rcpt-%d@example.com", i%4000)); err != nil {
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

// BenchmarkOpen is Open and Close of an existing store of some size: the
// checks Open makes before it uses a file, without and with
// Options.Verify.
func BenchmarkOpen(b *testing.B) {
	for _, marks := range []int{1_000, 100_000, 1_000_000} {
		path := filepath.Join(b.TempDir(), "state.db")
		size := fillStore(b, path, marks)
		for _, verify := range []bool{false, true} {
			b.Run(fmt.Sprintf("marks=%d/verify=%v", marks, verify), func(b *testing.B) {
				for b.Loop() {
					s, err := Open(path, &Options{Verify: verify})
					if err != nil {
						b.Fatal(err)
					}
					if err := s.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(size)/1e6, "file-MB")
			})
		}
	}
}

// fillStore makes a store at path holding marks marks of 2,000 recipients
// each, and returns the file's size.
func fillStore(b *testing.B, path string, marks int) int64 {
	b.Helper()
	s, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	v := markValue(time.Now(), nil)
	for start := 0; start < marks; start += 50_000 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i := start; i < min(start+50_000, marks); i++ {
				k, err := key(fmt.Sprintf("u_%016x", i/2000), "email", fmt.Sprintf("rcpt-%d@example.com", i%2000))
				if err != nil {
					return err
				}
				if err := tx.Bucket(bucketMarks).Put(k, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return info.Size()
}

// BenchmarkSaveReceipt is a channel's post of the next update of one of 100
// incidents: the thread and the update's receipt, in one commit.
func BenchmarkSaveReceipt(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	r := benchReceipt()
	i := 0
	for b.Loop() {
		i++
		if err := s.SaveReceipt(ctx, fmt.Sprint("inc-", i%100), fmt.Sprintf("u_%016x", i), r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkThread is the read before each channel's post.
func BenchmarkThread(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	r := benchReceipt()
	for i := range 1000 {
		if err := s.SaveReceipt(ctx, fmt.Sprint("inc-", i%100), fmt.Sprintf("u_%016x", i), r); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := s.Thread(ctx, fmt.Sprint("inc-", i%200), "email"); err != nil {
			b.Fatal(err)
		}
	}
}

// benchReceipt is an e-mail's receipt, as the email channel makes it.
func benchReceipt() broadcast.Receipt {
	return broadcast.Receipt{
		Channel: "email", ID: "<u_0123456789abcdef.1741964966@status.example.com>", Time: time.Now(),
		Meta:     map[string]string{"references": "<u_0123456789abcdee.1741964000@status.example.com>"},
		UpdateID: "u_0123456789abcdef", UpdateTime: time.Now(),
	}
}
