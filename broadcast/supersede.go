package broadcast

import (
	"sync"
	"time"
)

// newest knows, for each incident and channel with deliveries under way in
// this Broadcaster, the newest update delivered, and wakes deliveries of
// older updates waiting to retry, so they stop at once. Across instances
// and restarts the Store's Thread.Last says the same, read before every
// attempt.
type newest struct {
	mu sync.Mutex
	m  map[pairKey]*newestEntry
}

type newestEntry struct {
	refs    int           // deliveries watching
	id      string        // the newest update delivered; "" none yet
	time    time.Time     // its Update.Time
	seq     uint64        // its Send's number
	changed chan struct{} // closed when id changes; nil until a delivery waits
}

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

// delivered records that u, of Send number seq, was delivered on channel,
// and wakes the deliveries that wait there.
func (n *newest) delivered(u Update, seq uint64, channel string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.m[pairKey{u.IncidentID, channel}]
	if e == nil || e.id != "" && !newer(u.Time, seq, e.time, e.seq) {
		return
	}
	e.id, e.time, e.seq = u.ID, u.Time, seq
	if e.changed != nil {
		close(e.changed)
		e.changed = nil
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
