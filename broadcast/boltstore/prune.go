package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Prune removes the marks and receipts recorded before cutoff, in one
// transaction, and reports how many it removed. Call it now and then to
// bound the file's growth, with a cutoff well behind any update you may
// still resend: once its marks are gone, sending an update again delivers
// it again, and once an incident's receipts are gone, its next update
// starts a new thread.
//
// When ctx ends during the scan, Prune removes nothing and returns ctx's
// error. The file does not shrink; later writes reuse the space.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("boltstore: prune: %w", err)
	}
	var n int
	err := s.update(func(tx *bolt.Tx) error {
		n = 0
		for _, b := range []struct {
			bucket *bolt.Bucket
			time   func([]byte) (time.Time, bool)
		}{
			{tx.Bucket(bucketMarks), markTime},
			{tx.Bucket(bucketReceipts), receiptTime},
		} {
			removed, err := prune(ctx, b.bucket, cutoff, b.time)
			n += removed
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, wrap("prune", err)
	}
	return n, nil
}

// prune deletes the entries of b whose time is before cutoff. Values whose
// time cannot be read are kept.
func prune(ctx context.Context, b *bolt.Bucket, cutoff time.Time, at func([]byte) (time.Time, bool)) (int, error) {
	var old [][]byte
	c := b.Cursor()
	scanned := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if scanned++; scanned%1024 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if t, ok := at(v); ok && t.Before(cutoff) {
			old = append(old, append([]byte(nil), k...))
		}
	}
	// Deleting under a cursor can make it skip keys; delete after the scan.
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// receiptTime returns when a receipt was saved.
func receiptTime(v []byte) (time.Time, bool) {
	var rec struct {
		Saved time.Time `json:"saved"`
	}
	if err := json.Unmarshal(v, &rec); err != nil || rec.Saved.IsZero() {
		return time.Time{}, false
	}
	return rec.Saved, true
}
