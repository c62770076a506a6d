package boltstore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Prune removes what was recorded before cutoff, in one transaction
// (below), and reports how many entries it removed. Call it
// now and then to bound the file's growth, with a cutoff well behind any
// update you may still resend, correct or retract:
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
//     next update then starts a new thread, and is posted even when it is
//     older (broadcast.Update.Time) than an update whose records are gone:
//     nothing is left to supersede it.
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
// Prune walks the file an update at a time, its marks and receipts side
// by side, and keeps no list of what it walked, so that a Prune that
// removes nothing takes little memory whatever the file's size. It
// removes in one write transaction, which holds every page it changes
// until it commits: its memory grows with what it removes, and every
// Mark and SaveReceipt meanwhile waits for it. So a Prune never ends
// half done: records are removed together that the Broadcaster needs
// gone together although their update keys differ (the record of an
// update's first Send is older than the update's records of its
// deliveries), and a reader never sees a Prune under way. A kept receipt
// whose incident's thread was last saved before cutoff has the thread
// stamped anew with the time of its update's newest mark or receipt:
// that is how the thread is known to be kept, and it is then removed once
// that update's records are. Only Prune reads that stamp.
//
// When ctx ends (during the walk, or while Prune waits for the file's
// writer), Prune stops, removes nothing and returns ctx's error; so does
// a process killed while Prune runs. An entry that does not decode is
// damage: Prune stops there, removes nothing and fails with ErrDamaged.
// The file does not shrink; later writes reuse the space.
//
// The record of which post an update followed in its thread (so that,
// after the retraction of the thread's latest post, the next update
// replies to the one before) has no channel mark either: once it is gone,
// such an update replies to the thread's first post instead.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	if err := cmp.Or(s.opened(), ctxErr(ctx)); err != nil {
		return 0, fmt.Errorf("boltstore: prune: %w", err)
	}
	p := pruner{ctx: ctx, cutoff: cutoff}
	// One transaction: a Prune that ends before it is done (its ctx, or
	// the process killed) removes nothing, and no reader sees a Prune
	// under way. Committed in parts, in key order, it removed an update's
	// records and kept records written before them under other keys (the
	// record of the update's first Send, which Retract relies on to be
	// gone when the update's records are).
	err := s.update(func(tx *bolt.Tx) error {
		// Marks and receipts, an update's together, then threads, which
		// depend on the receipts kept.
		for _, step := range []func(*bolt.Tx) (bool, error){p.updates, p.threads} {
			p.from = nil
			for done := false; !done; {
				var err error
				p.written, p.scanned = 0, 0
				if done, err = step(tx); err != nil {
					return err
				}
			}
		}
		// It may have ended while Prune waited for the file's writer, or
		// since the walk last looked.
		return ctx.Err()
	})
	if err != nil {
		return 0, wrap("prune", err)
	}
	return int64(p.removed), nil
}

// pruneBatch is about how many entries Prune removes or rewrites, and
// pruneScan how many it reads, before it starts its walk anew from where
// it stopped, in the same transaction: the threads it removes are listed
// before they are deleted (deleting under a cursor can make it skip
// keys), at most that many at a time.
const (
	pruneBatch = 1000
	pruneScan  = 64 * 1024
)

// A pruner is one run of Prune.
type pruner struct {
	ctx     context.Context
	cutoff  time.Time
	from    []byte // the key the next part of the walk starts at; nil: the first
	fromBuf []byte // from's storage, reused
	scanned int    // entries read by the part under way
	looked  int    // entries read in all
	written int    // entries it removed or rewrote
	removed int    // entries it removed

	// One update's records, their storage reused from one update to the
	// next: a walk allocates nothing per entry.
	markKeys, receiptKeys keyList
	threadKeys            keyList // of its receipts' threads
}

// A keyList is a list of keys copied into one buffer.
type keyList struct {
	buf  []byte
	ends []int
}

func (l *keyList) reset() { l.buf, l.ends = l.buf[:0], l.ends[:0] }

func (l *keyList) add(k []byte) {
	l.buf = append(l.buf, k...)
	l.ends = append(l.ends, len(l.buf))
}

func (l *keyList) len() int { return len(l.ends) }

// at returns the i-th key.
func (l *keyList) at(i int) []byte {
	start := 0
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.buf[start:l.ends[i]:l.ends[i]]
}

// deleteFrom deletes each key from b.
func (l *keyList) deleteFrom(b *bolt.Bucket) error {
	for i := range l.len() {
		if err := b.Delete(l.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// full reports whether the part of the walk under way did its share.
func (p *pruner) full() bool { return p.written >= pruneBatch || p.scanned >= pruneScan }

// look counts an entry read, and returns ctx's error now and then.
func (p *pruner) look() error {
	p.scanned++
	if p.looked++; p.looked%1024 == 0 {
		return p.ctx.Err()
	}
	return nil
}

// updates prunes marks and receipts from p.from on, one update at a time,
// until the part of the walk did its share; done says none is left. An
// update's keys begin with its ID, length first, so that its marks and
// its receipts sit together in each bucket, and both buckets list the
// updates in the same order.
func (p *pruner) updates(tx *bolt.Tx) (done bool, err error) {
	marks, receipts := tx.Bucket(bucketMarks), tx.Bucket(bucketReceipts)
	mc, rc := marks.Cursor(), receipts.Cursor()
	threads := tx.Bucket(bucketThreads)
	tc := threads.Cursor()
	for !p.full() {
		mk, _ := seek(mc, p.from)
		rk, _ := seek(rc, p.from)
		if mk == nil && rk == nil {
			return true, nil
		}
		u, err := p.next(mk, rk)
		if err != nil {
			return false, err
		}
		var newest time.Time
		p.markKeys.reset()
		p.receiptKeys.reset()
		p.threadKeys.reset()
		mk, mv := seek(mc, u)
		for ; mk != nil && bytes.HasPrefix(mk, u); mk, mv = mc.Next() {
			if err := p.look(); err != nil {
				return false, err
			}
			t, err := markTime(mv)
			if err != nil {
				return false, naming(err, markNames, keyParts(mk)...)
			}
			newest = later(newest, t)
			p.markKeys.add(mk)
		}
		rk, rv := seek(rc, u)
		for ; rk != nil && bytes.HasPrefix(rk, u); rk, rv = rc.Next() {
			if err := p.look(); err != nil {
				return false, err
			}
			t, err := p.receipt(rk, rv)
			if err != nil {
				return false, naming(err, receiptNames, keyParts(rk)...)
			}
			newest = later(newest, t)
			p.receiptKeys.add(rk)
		}
		// The next update's first key, before the cursors move.
		p.setFrom(first(mk, rk))
		if newest.Before(p.cutoff) {
			if err := p.markKeys.deleteFrom(marks); err != nil {
				return false, err
			}
			if err := p.receiptKeys.deleteFrom(receipts); err != nil {
				return false, err
			}
			p.removed += p.markKeys.len() + p.receiptKeys.len()
			p.written += p.markKeys.len() + p.receiptKeys.len()
		} else if err := p.keepThreads(threads, tc, newest); err != nil {
			return false, err
		}
		if p.from == nil {
			return true, nil
		}
	}
	return false, nil
}

// keepThreads stamps with newest, the time of the newest record of an
// update kept, each thread of its receipts (p.threadKeys) last saved
// before cutoff, so that the threads step keeps it. A later Prune removes
// it once it removes the update, or the thread is saved again.
func (p *pruner) keepThreads(threads *bolt.Bucket, c *bolt.Cursor, newest time.Time) error {
	for i := range p.threadKeys.len() {
		tk := p.threadKeys.at(i)
		// As get does, with one cursor for the transaction: a cursor of
		// its own for each would allocate.
		k, v := c.Seek(tk)
		var err error
		if bytes.Equal(k, tk) && v == nil {
			err = &damage{"a bucket where a thread should be"}
		} else if bytes.Equal(k, tk) {
			var saved time.Time
			if saved, err = checkThread(v); err == nil && saved.Before(p.cutoff) {
				err = put(threads, tk, append(appendStamp(nil, newest), v[8:]...), "a thread")
				p.written++
			}
		}
		if err != nil {
			return naming(err, threadNames, keyParts(tk)...)
		}
	}
	return nil
}

// threads removes, from p.from on, the threads last saved before cutoff,
// until the part of the walk did its share; done says none is left. A thread
// one of whose receipts is kept was stamped anew by updates.
func (p *pruner) threads(tx *bolt.Tx) (done bool, err error) {
	b := tx.Bucket(bucketThreads)
	c := b.Cursor()
	var old [][]byte
	k, v := seek(c, p.from)
	for ; k != nil && !p.full(); k, v = c.Next() {
		if err := p.look(); err != nil {
			return false, err
		}
		saved, err := checkThread(v)
		if err != nil {
			return false, naming(err, threadNames, keyParts(k)...)
		}
		if saved.Before(p.cutoff) {
			old = append(old, bytes.Clone(k))
			p.written++
		}
	}
	p.setFrom(k)
	// Deleting under a cursor can make it skip keys; delete after the walk.
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return false, err
		}
	}
	p.removed += len(old)
	return k == nil, nil
}

// seek moves c to the first key at or after from; the first key of all
// when from is nil.
func seek(c *bolt.Cursor, from []byte) ([]byte, []byte) {
	if from == nil {
		return c.First()
	}
	return c.Seek(from)
}

// next returns the key prefix of the update whose records come first of
// mk's and rk's, either of which may be nil: the update's ID, length
// first.
func (p *pruner) next(mk, rk []byte) ([]byte, error) {
	k, names := first(mk, rk), markNames
	if !bytes.Equal(k, mk) {
		names = receiptNames
	}
	u := part(k)
	if u == nil {
		return nil, naming(&damage{"a key does not decode: " + errTruncated.Error()}, names, keyParts(k)...)
	}
	return u, nil
}

// first returns the lesser of two keys, nil ones left out.
func first(a, b []byte) []byte {
	if a == nil || (b != nil && bytes.Compare(b, a) < 0) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// setFrom sets p.from to a copy of k; nil stays nil.
func (p *pruner) setFrom(k []byte) {
	p.from = nil
	if k != nil {
		p.fromBuf = append(p.fromBuf[:0], k...)
		p.from = p.fromBuf
	}
}

// receipt checks the receipt with key k (update, channel) and value v,
// adds the key of its thread (incident, channel) to p.threadKeys and
// returns when it was saved.
func (p *pruner) receipt(k, v []byte) (saved time.Time, err error) {
	saved, err = checkReceipt(v)
	if err != nil {
		return saved, err
	}
	// The incident, after the stamp, and the channel, after the update:
	// each a length and its bytes, as key encodes a part.
	incident, channel := part(v[8:]), part(k[len(part(k)):])
	if incident == nil || channel == nil || len(k) != len(part(k))+len(channel) {
		return saved, &damage{"a receipt's key does not decode"}
	}
	if len(incident)+len(channel) > bolt.MaxKeySize {
		return saved, &damage{fmt.Sprintf("a receipt's incident: too long together: %d bytes, more than %d (a bbolt key's limit)",
			len(incident)+len(channel), bolt.MaxKeySize)}
	}
	p.threadKeys.buf = append(append(p.threadKeys.buf, incident...), channel...)
	p.threadKeys.ends = append(p.threadKeys.ends, len(p.threadKeys.buf))
	return saved, nil
}

// part returns the first part of b as key encodes it, its length
// included; nil when it does not decode.
func part(b []byte) []byte {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil
	}
	return b[:w+int(n)]
}
