package broadcast

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"sync"
	"time"
)

// Store keeps what the Broadcaster needs to remember between attempts, sends
// and (for durable stores) restarts: each incident's first and latest
// receipt per channel (threading), each update's receipt per channel
// (corrections, retractions), and per-update delivery marks (idempotency).
//
// Target "" stands for the channel as a whole; other targets are a channel's
// recipients or endpoints. A Store must be safe for concurrent use. Mark and
// SaveReceipt must have made their write durable (as durable as the Store
// is) when they return. Errors must say what failed; the Broadcaster never
// delivers blind on a read error, and reports a write error after a
// delivery as ErrNotRecorded (see Broadcaster.Send). The conformance suite
// broadcast/storetest checks all of this.
type Store interface {
	// Thread returns channel's receipts of the first and the latest
	// delivered update of incidentID; zero when there is none.
	Thread(ctx context.Context, incidentID, channel string) (Thread, error)
	// SaveReceipt records r, the receipt of updateID on channel r.Channel,
	// as the incident's latest (Thread.Last), and as its first
	// (Thread.Root) when it has none yet.
	SaveReceipt(ctx context.Context, incidentID, updateID string, r Receipt) error
	// Receipt returns channel's receipt of updateID, if it saved one.
	Receipt(ctx context.Context, updateID, channel string) (Receipt, bool, error)
	// Done reports whether target of channel was marked for updateID;
	// failure is the recorded failure text, "" when it was delivered.
	Done(ctx context.Context, updateID, channel, target string) (done bool, failure string, err error)
	// Mark records that target of channel is done with updateID: delivered
	// when failure is nil, failed permanently otherwise (its text is kept
	// byte for byte, NUL bytes and bytes that are not UTF-8 included; an
	// empty text is kept as "failed").
	Mark(ctx context.Context, updateID, channel, target string, failure error) error
}

// MemoryStore is a Store in memory: it threads and deduplicates within one
// process. Use a durable Store (broadcast/boltstore) to survive restarts.
// It keeps every mark and receipt, a few hundred bytes per update, channel
// and target, until the process ends or Prune removes them: a program that
// runs for months calls Prune now and then. Broadcasters sharing one
// MemoryStore take its Lock as their Options.Lock, so that they deliver an
// update once between them (see Locks).
//
// The zero value is an empty MemoryStore, as NewMemoryStore's, ready to
// use. A MemoryStore must not be copied after first use.
type MemoryStore struct {
	locks   Locks
	mu      sync.Mutex
	threads map[pairKey]*thread // by incident and channel
	updates map[string]*pair    // by update: its channels' entries, linked
	marks   map[markKey]mark    // of targets other than "" and attemptedTarget
	// spare holds pairs allocated together and not used yet (see
	// newPair): one allocation for the entries of several channels,
	// where each had one of its own.
	spare []pair
}

// Lock is Options.Lock for the Broadcasters that share s: see Locks.
func (s *MemoryStore) Lock(ctx context.Context, key LockKey) (unlock func(), err error) {
	return s.locks.Lock(ctx, key)
}

// thread is a Thread and when its latest receipt was saved.
type thread struct {
	Thread
	at stamp
}

// memoryEpoch is what the entries' stamps of every MemoryStore count from,
// and monotonic.
var memoryEpoch = time.Now()

// monotonic is the time since memoryEpoch by the monotonic clock: what a
// delivery measures its Duration and RetryPolicy.MaxElapsed with, since it
// costs one clock read, where time.Now costs two (the wall clock's too).
func monotonic() time.Duration { return time.Since(memoryEpoch) }

// stamp is when an entry was written: the time since memoryEpoch,
// by the monotonic clock, which costs one clock read, not time.Now's two,
// and a third of a time.Time's room.
type stamp int64

func (s *MemoryStore) now() stamp { return stamp(monotonic()) }

// mark is a target's mark: its failure text, "" when delivered, and when
// it was made.
type mark struct {
	failure string
	at      stamp
}

type pairKey struct{ id, channel string }
type markKey struct{ update, channel, target string }

// pair is what a MemoryStore keeps of an update on a channel: a delivery
// saves its receipt and marks target "" together, in one entry. An
// update's entries are linked from one map slot, found by channel name in
// a walk of the few channels a Broadcaster has: one map entry per update,
// not per update and channel, keeps the map small and cheap to grow.
type pair struct {
	channel  string
	next     *pair
	receipt  Receipt
	incident string // the incident receipt was saved in
	saved    bool   // receipt was saved
	marked   bool   // target "" was marked
	failure  string // target "" mark's failure text; "" when delivered
	// attempted, attemptedFailure: the mark of attemptedTarget, which
	// every delivery writes, kept here as target "" is.
	attempted        bool
	attemptedFailure string
	// savedAt, markedAt, attemptedAt: when each was written, for Prune.
	savedAt, markedAt, attemptedAt stamp
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{threads: map[pairKey]*thread{}, updates: map[string]*pair{},
		marks: map[markKey]mark{}}
}

// Thread implements Store.
func (s *MemoryStore) Thread(_ context.Context, incidentID, channel string) (Thread, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t Thread
	if p := s.threads[pairKey{incidentID, channel}]; p != nil {
		t = p.Thread
		t.Root.Meta, t.Last.Meta = maps.Clone(t.Root.Meta), maps.Clone(t.Last.Meta)
	}
	return t, nil
}

// SaveReceipt implements Store.
func (s *MemoryStore) SaveReceipt(_ context.Context, incidentID, updateID string, r Receipt) error {
	r.Meta = maps.Clone(r.Meta)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := pairKey{incidentID, r.Channel}
	t := s.threads[k]
	if t == nil {
		if s.threads == nil { // the zero MemoryStore
			s.threads = map[pairKey]*thread{}
		}
		t = &thread{}
		s.threads[k] = t
	}
	if t.Root.IsZero() {
		t.Root = r
	}
	t.Last, t.at = r, now
	p := s.pair(updateID, r.Channel, true)
	p.receipt, p.incident, p.saved, p.savedAt = r, incidentID, true, now
	return nil
}

// pair returns the entry of updateID on channel; when there is none, it
// adds one if add, and returns nil otherwise.
func (s *MemoryStore) pair(updateID, channel string, add bool) *pair {
	head := s.updates[updateID]
	for p := head; p != nil; p = p.next {
		if p.channel == channel {
			return p
		}
	}
	if !add {
		return nil
	}
	if s.updates == nil { // the zero MemoryStore
		s.updates = map[string]*pair{}
	}
	p := s.newPair()
	p.channel, p.next = channel, head
	s.updates[updateID] = p
	return p
}

// pairBlock is how many pairs newPair allocates at once: a Send to ten
// channels makes eleven (one for its record of the first Send), and a
// block left holding one pair still in use keeps a few kilobytes.
const pairBlock = 16

// newPair returns a zero pair from s.spare, allocating the next block when
// it is empty. The caller holds s.mu. Prune clears the pairs it removes,
// so that a block kept by one pair still in use holds none of the removed
// pairs' receipts.
func (s *MemoryStore) newPair() *pair {
	if len(s.spare) == 0 {
		s.spare = make([]pair, pairBlock)
	}
	p := &s.spare[0]
	s.spare = s.spare[1:]
	return p
}

// Receipt implements Store.
func (s *MemoryStore) Receipt(_ context.Context, updateID, channel string) (Receipt, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pair(updateID, channel, false)
	if p == nil || !p.saved {
		return Receipt{}, false, nil
	}
	return p.receipt.clone(), true, nil
}

// Done implements Store.
func (s *MemoryStore) Done(_ context.Context, updateID, channel, target string) (bool, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch target {
	case "", attemptedTarget:
		p := s.pair(updateID, channel, false)
		switch {
		case p == nil:
			return false, "", nil
		case target == "":
			return p.marked, p.failure, nil
		}
		return p.attempted, p.attemptedFailure, nil
	}
	m, ok := s.marks[markKey{updateID, channel, target}]
	return ok, m.failure, nil
}

// Mark implements Store.
func (s *MemoryStore) Mark(_ context.Context, updateID, channel, target string, failure error) error {
	f := failureText(failure)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch target {
	case "":
		p := s.pair(updateID, channel, true)
		p.marked, p.failure, p.markedAt = true, f, now
		return nil
	case attemptedTarget:
		p := s.pair(updateID, channel, true)
		p.attempted, p.attemptedFailure, p.attemptedAt = true, f, now
		return nil
	}
	if s.marks == nil { // the zero MemoryStore
		s.marks = map[markKey]mark{}
	}
	s.marks[markKey{updateID, channel, target}] = mark{f, now}
	return nil
}

// failureText is how a Store keeps a mark's failure: "" for a delivery,
// the error's text otherwise, "failed" for an error without text.
func failureText(err error) string {
	if err == nil {
		return ""
	}
	return cmp.Or(err.Error(), "failed")
}

// Prune removes what was recorded before cutoff and reports how many
// entries (marks, receipts, threads) it removed, by the rules of
// boltstore's Prune:
//
//   - An update's marks and receipts, on every channel and target, are
//     removed together, when the newest of them was written before
//     cutoff; while any of them is kept, all are. So as long as a Send of
//     the update skips a channel, Correct and Retract find its post, and a
//     Retract tells a channel that never posted the update from one whose
//     records are gone (see Broadcaster.Retract). Once they are gone,
//     sending the update again delivers it again, and a Retract cannot
//     find the posts made before, not even after such a Send.
//   - An incident's thread on a channel is removed when its latest
//     receipt was saved before cutoff and none of the incident's receipts
//     on the channel is kept. Its next update then starts a new thread,
//     and is posted even when it is older (Update.Time) than an update
//     whose records are gone: nothing is left to supersede it.
//   - The record of which post an update followed in its thread, which
//     is kept under a key of its own, is removed when it was saved before
//     cutoff: an update after the retraction of the thread's latest post
//     then replies to its first. So are the records of the Time an update
//     was first sent with, of which update a correction ID corrects, and
//     of the targets a delivery reached before it failed: once they are
//     gone, the update sent again without a Time counts as new, that ID
//     given to the correction of another update is no longer refused, and
//     a Retract of the update says it cannot find those targets' posts.
//
// Choose a cutoff well behind any update you may still resend, correct or
// retract. Prune holds the store's lock while it walks every entry (some
// milliseconds per 100,000); when ctx is done before it starts, it removes
// nothing and returns ctx's error.
func (s *MemoryStore) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	if ctx == nil {
		return 0, errNilContext
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("broadcast: prune: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The cutoff as a stamp, counted back from now: for a cutoff without
	// a monotonic reading (parsed, or made with UTC or Round), by the wall
	// clock from now, not from when the store was made, which a step of
	// the wall clock since (NTP, a suspend) would shift.
	now := time.Now()
	elapsed, back := stamp(now.Sub(memoryEpoch)), stamp(now.Sub(cutoff))
	c := elapsed - back
	if back < 0 && c < elapsed {
		// A cutoff centuries ahead (Sub saturates, and the difference
		// overflows): everything was recorded before it.
		c = math.MaxInt64
	}
	// An update's marks and receipts go together: when the newest of them
	// was written before cutoff.
	newest := make(map[string]stamp, len(s.updates))
	for k, m := range s.marks {
		if at, ok := newest[k.update]; !ok || m.at > at {
			newest[k.update] = m.at
		}
	}
	for id, head := range s.updates {
		at, ok := newest[id]
		for p := head; p != nil; p = p.next {
			for _, w := range [...]struct {
				has bool
				at  stamp
			}{{p.saved, p.savedAt}, {p.marked, p.markedAt}, {p.attempted, p.attemptedAt}} {
				if w.has && (!ok || w.at > at) {
					at, ok = w.at, true
				}
			}
		}
		newest[id] = at
	}
	var n int64
	for k := range s.marks {
		if newest[k.update] < c {
			delete(s.marks, k)
			n++
		}
	}
	kept := map[pairKey]bool{} // threads of the receipts kept
	for id, head := range s.updates {
		if newest[id] < c {
			for p := head; p != nil; {
				n += int64(p.count())
				next := p.next
				*p = pair{} // its block may outlive it (see newPair)
				p = next
			}
			delete(s.updates, id)
			continue
		}
		for p := head; p != nil; p = p.next {
			if p.saved {
				kept[pairKey{p.incident, p.channel}] = true
			}
		}
	}
	for k, t := range s.threads {
		if t.at < c && !kept[k] {
			delete(s.threads, k)
			n++
		}
	}
	return n, nil
}

// count returns how many entries p holds: its receipt, its mark of target
// "" and its mark of attemptedTarget, as Prune counts them.
func (p *pair) count() int {
	n := 0
	for _, has := range [...]bool{p.saved, p.marked, p.attempted} {
		if has {
			n++
		}
	}
	return n
}
