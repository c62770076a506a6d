package boltstore

import (
	"cmp"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Prune removes what was recorded before cutoff, in one transaction, and
// reports how many entries it removed. Call it now and then to bound the
// file's growth, with a cutoff well behind any update you may still
// resend, correct or retract:
//
//   - An update's marks and receipts, on every channel and target, are
//     removed together, when the newest of them was written before
//     cutoff; while any of them is kept, all are. So as long as a Send of
//     the update skips a channel, Correct and Retract find its post, and a
//     Retract tells a channel that never posted the update from one whose
//     records are gone (see broadcast.Broadcaster.Retract). Once they are
//     gone, sending the update again delivers it again, and a Retract
//     cannot find the posts made before, not even after such a Send.
//   - An incident's thread on a channel is removed when its latest receipt
//     was saved before cutoff and no receipt of the incident on the
//     channel is kept: the thread is kept while any of its updates is. Its
//     next update then starts a new thread.
//
// The post a fan-out channel made in one target (broadcast.Ledger's
// MarkPosted) is kept as a receipt of its own, under an update key of its
// own that has no mark: it is removed when it was saved before cutoff,
// and counts in the number Prune reports. Once it is gone, a later
// attempt's receipt of the update lacks that post. So is the record of the
// Time an update was first sent with (broadcast.Broadcaster.SentTime):
// once it is gone, the update sent again without a Time counts as new;
// and so is the record of which update a correction ID corrects (see
// broadcast.Broadcaster.Correct): once it is gone, that ID given to the
// correction of another update is no longer refused; and so is the record
// of the targets a delivery reached before it failed: once it is gone, a
// Retract of the update says it cannot find those targets' posts.
//
// A Retract is recorded as a mark too, made when the post was deleted:
// with a cutoff after it, a thread still kept forgets that its post was
// deleted, and a later update may reply to it.
//
// When ctx ends before the scan is done (during it, or while Prune waits
// for the file's writer), Prune removes nothing and returns ctx's error. An entry that does not decode is damage: Prune removes nothing and
// fails with ErrDamaged. The file does not shrink; later writes reuse the
// space. Prune reads every mark and receipt twice, and holds each
// update's ID in memory meanwhile. The transaction holds the file's one
// writer for as long as the scan takes: every Mark and SaveReceipt of a delivery meanwhile waits for
// it, so prune a large file while little is being sent.
//
// The record of which post an update followed in its thread (so that,
// after the retraction of the thread's latest post, the next update
// replies to the one before) has no channel mark either: once it is gone,
// such an update replies to the thread's first post instead.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	if err := cmp.Or(s.opened(), ctxErr(ctx)); err != nil {
		return 0, fmt.Errorf("boltstore: prune: %w", err)
	}
	var n int64
	err := s.update(func(tx *bolt.Tx) error {
		p := pruner{ctx: ctx, cutoff: cutoff, keptThreads: map[string]bool{}}
		m, err := p.prune(tx)
		if err == nil {
			// It may have ended while Prune waited for the file's writer, or
			// since the scan last looked.
			err = ctx.Err()
		}
		n = int64(m)
		return err
	})
	if err != nil {
		return 0, wrap("prune", err)
	}
	return n, nil
}

// A pruner is one run of Prune.
type pruner struct {
	ctx         context.Context
	cutoff      time.Time
	scanned     int
	keptThreads map[string]bool // keys of the threads of receipts kept
}

// prune prunes marks and receipts, an update's together, then threads,
// which depend on the receipts kept.
func (p *pruner) prune(tx *bolt.Tx) (int, error) {
	marks, receipts := tx.Bucket(bucketMarks), tx.Bucket(bucketReceipts)
	newest := map[string]time.Time{} // by update: its newest mark or receipt
	err := p.scan(marks, markNames, newest, func(v []byte) (time.Time, error) { return markTime(v) })
	if err == nil {
		err = p.scan(receipts, receiptNames, newest, func(v []byte) (time.Time, error) {
			saved, _, err := checkReceipt(v)
			return saved, err
		})
	}
	if err != nil {
		return 0, err
	}
	old := func(k []byte) bool { u, _ := firstPart(k); return newest[u].Before(p.cutoff) }
	n, err := p.bucket(marks, markNames, func(k, _ []byte) (bool, error) { return old(k), nil })
	if err != nil {
		return 0, err
	}
	m, err := p.bucket(receipts, receiptNames, func(k, v []byte) (bool, error) { return p.receiptGoes(old(k), k, v) })
	if err != nil {
		return 0, err
	}
	l, err := p.bucket(tx.Bucket(bucketThreads), threadNames, func(k, v []byte) (bool, error) {
		saved, err := checkThread(v)
		return err == nil && saved.Before(p.cutoff) && !p.keptThreads[string(k)], err
	})
	return n + m + l, err
}

// scan notes in newest, for each entry of b, the time written (read from
// its value by at) under its update, the first part of its key, when it
// is the newest of the update's so far. Damage names the entry, its key's
// parts named by names.
func (p *pruner) scan(b *bolt.Bucket, names []string, newest map[string]time.Time, at func(v []byte) (time.Time, error)) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if p.scanned++; p.scanned%1024 == 0 && p.ctx.Err() != nil {
			return p.ctx.Err()
		}
		t, err := at(v)
		var u string
		if err == nil {
			u, err = firstPart(k)
		}
		if err != nil {
			return naming(err, names, keyParts(k)...)
		}
		if n, ok := newest[u]; !ok || t.After(n) {
			newest[u] = t
		}
	}
	return nil
}

// firstPart returns the first part of a key: its update.
func firstPart(k []byte) (string, error) {
	d := decoder{b: k}
	first := d.string()
	if d.err != nil {
		return "", &damage{fmt.Sprintf("a key does not decode: %v", d.err)}
	}
	return first, nil
}

// receiptGoes reports whether the receipt with key k (update, channel) and
// value v is removed, old when its update's marks and receipts were all
// written before cutoff, and keeps its thread when it is not.
func (p *pruner) receiptGoes(old bool, k, v []byte) (bool, error) {
	if old {
		return true, nil
	}
	_, incident, err := checkReceipt(v)
	if err != nil {
		return false, err
	}
	channel, err := lastPart(k)
	if err != nil {
		return false, err
	}
	tk, err := key(incident, channel)
	if err != nil {
		return false, &damage{fmt.Sprintf("a receipt's incident: %v", err)}
	}
	p.keptThreads[string(tk)] = true
	return false, nil
}

// lastPart returns the second part of a key of two parts.
func lastPart(k []byte) (string, error) {
	d := decoder{b: k}
	d.string()
	last := d.string()
	if err := d.end(); err != nil {
		return "", &damage{fmt.Sprintf("a receipt's key does not decode: %v", err)}
	}
	return last, nil
}

// bucket deletes the entries of b for which goes says so. Damage names
// the entry, its key's parts named by names.
func (p *pruner) bucket(b *bolt.Bucket, names []string, goes func(k, v []byte) (bool, error)) (int, error) {
	var old [][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if p.scanned++; p.scanned%1024 == 0 && p.ctx.Err() != nil {
			return 0, p.ctx.Err()
		}
		gone, err := goes(k, v)
		if err != nil {
			return 0, naming(err, names, keyParts(k)...)
		}
		if gone {
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
