package broadcast

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"
)

// newest knows, for each incident and channel with deliveries under way in
// this Broadcaster, the newest update delivered, and wakes deliveries of
// older updates waiting to retry, so they stop at once. Across instances
// and restarts the Store's Thread.Last says the same, read before every
// attempt.
//
// It also lets one attempt at a time run for each incident and channel
// (take, release): an attempt reads the thread, posts and saves its
// receipt before the next reads it, so that an update posted while an
// older one's attempt was under way is posted after it, in its thread,
// and the older one, if it is not yet posted, is then found superseded.
type newest struct {
	mu sync.Mutex
	m  map[pairKey]*newestEntry
}

type newestEntry struct {
	refs    int               // deliveries watching
	id      string            // the newest update delivered; "" none yet
	post    string            // the ID of its post; "" when the platform has none
	meta    map[string]string // and the Meta of its receipt, which tells posts of one ID apart
	time    time.Time         // its Update.Time
	seq     uint64            // its Send's number
	changed chan struct{}     // closed when id changes; nil until a delivery waits
	turn    waitLock          // held by the attempt under way
}

// take waits until no other attempt on the watcher's incident and channel
// is under way, and makes this one the attempt under way; it fails when
// ctx ends first. Every take that succeeded is followed by a release.
func (n *newest) take(ctx context.Context, w *watcher) error {
	if err := w.e.turn.lock(ctx); err != nil {
		return fmt.Errorf("waiting for an attempt of an update of the same incident: %w", err)
	}
	return nil
}

// release ends the attempt under way that take started.
func (n *newest) release(w *watcher) { w.e.turn.unlock() }

// watcher is one delivery's view of its incident and channel.
type watcher struct {
	key pairKey
	e   *newestEntry
}

// watch registers w as a delivery of incident on channel. spare, when not
// nil, is used for a new entry instead of allocating one.
func (n *newest) watch(w *watcher, incident, channel string, spare *newestEntry) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = make(map[pairKey]*newestEntry)
	}
	w.key = pairKey{incident, channel}
	w.e = n.m[w.key]
	if w.e == nil {
		if spare == nil {
			spare = new(newestEntry)
		}
		w.e = spare
		n.m[w.key] = w.e
	}
	w.e.refs++
}

func (n *newest) unwatch(w *watcher) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if w.e.refs--; w.e.refs == 0 {
		delete(n.m, w.key)
	}
}

// delivered records that u, of Send number seq, was delivered on channel
// as the post of r, and wakes the deliveries that wait there.
func (n *newest) delivered(u Update, seq uint64, channel string, r Receipt) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.m[pairKey{u.IncidentID, channel}]
	if e == nil || e.id != "" && !newer(u.Time, seq, e.time, e.seq) {
		return
	}
	e.id, e.post, e.meta, e.time, e.seq = u.ID, r.ID, maps.Clone(r.Meta), u.Time, seq
	if e.changed != nil {
		close(e.changed)
		e.changed = nil
	}
}

// forget drops update as the newest delivered on channel, in every
// incident: a Retract is deleting its post, which supersedes nothing (the
// Store's thread, read before every attempt, still has it while it is
// there).
func (n *newest) forget(update, channel string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, e := range n.m {
		if k.channel == channel && e.id == update {
			e.forget()
		}
	}
}

func (e *newestEntry) forget() { e.id, e.post, e.meta, e.time, e.seq = "", "", nil, time.Time{}, 0 }

// forgetPost drops the update whose post r a Retract deleted on channel
// as the newest delivered, in every incident: the post of an update that
// an in-place correction edited is the correction's too, and a Retract of
// the correction deletes it (forget, by update, does not know that
// update). The post is known by its ID and its receipt's Meta: a fan-out
// receipt's ID is its first target's post ID, which other targets' posts
// may share (message numbers count per chat), and its Meta names each
// target's; an in-place correction's receipt has its original's Meta.
func (n *newest) forgetPost(r Receipt, channel string) {
	if r.ID == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, e := range n.m {
		if k.channel == channel && e.post == r.ID && maps.Equal(e.meta, r.Meta) {
			e.forget()
		}
	}
}

// renamed records that the post of receipt old, on channel, is now that
// of current: an edit made it a post of its own (see followVersion).
func (n *newest) renamed(channel string, old, current Receipt) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, e := range n.m {
		if k.channel == channel && e.post == old.ID && maps.Equal(e.meta, old.Meta) {
			e.post, e.meta = current.ID, maps.Clone(current.Meta)
		}
	}
}

// changed is closed when a newer update is delivered. It is made only for
// deliveries that wait to retry.
func (n *newest) changed(w *watcher) <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if w.e.changed == nil {
		w.e.changed = make(chan struct{})
	}
	return w.e.changed
}

// supersedes reports whether u, of Send number seq, is older than an update
// already delivered on the watcher's channel: last, the Store's latest
// receipt of the incident, or one delivered by this Broadcaster. Of two
// updates with equal Time, the later Send is the newer; an update found in
// the Store with the same Time as u was delivered before this Send.
func (n *newest) supersedes(w *watcher, last *Receipt, u *Update, seq uint64) bool {
	if last.UpdateID != "" && last.UpdateID != u.ID && last.UpdateTime.After(u.Time) {
		return true
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	e := w.e
	return e.id != "" && e.id != u.ID && newer(e.time, e.seq, u.Time, seq)
}

// newer reports whether (t1, seq1) comes after (t2, seq2).
func newer(t1 time.Time, seq1 uint64, t2 time.Time, seq2 uint64) bool {
	return t1.After(t2) || t1.Equal(t2) && seq1 > seq2
}
