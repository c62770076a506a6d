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
	place   time.Time         // its first Send's place (see places)
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

// delivered records that u, whose first Send came at place, was delivered
// on channel as the post of r, and wakes the deliveries that wait there.
func (n *newest) delivered(u Update, place time.Time, channel string, r Receipt) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.m[pairKey{u.IncidentID, channel}]
	if e == nil || e.id != "" && !newer(u.Time, place, e.time, e.place) {
		return
	}
	e.id, e.post, e.meta, e.time, e.place = u.ID, r.ID, maps.Clone(r.Meta), u.Time, place
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

func (e *newestEntry) forget() {
	e.id, e.post, e.meta, e.time, e.place = "", "", nil, time.Time{}, time.Time{}
}

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

// supersedes reports whether u, whose first Send came at place, is older
// than an update already delivered on the watcher's channel: last, the
// Store's latest receipt of the incident, whose update's first Send came
// at lastPlace (zero when not known, see lastPlace), or one delivered by
// this Broadcaster. Of two updates with equal Time, the one first sent
// later is the newer (see newer); an update found in the Store with the
// same Time as u and no known place was delivered before this Send.
func (n *newest) supersedes(w *watcher, last *Receipt, lastPlace time.Time, u *Update, place time.Time) bool {
	return n.supersedesIn(w.e, last, lastPlace, u, place)
}

// supersedesIn is supersedes for the deliveries of entry e, nil when there
// are none.
func (n *newest) supersedesIn(e *newestEntry, last *Receipt, lastPlace time.Time, u *Update, place time.Time) bool {
	if last.UpdateID != "" && last.UpdateID != u.ID && newer(last.UpdateTime, lastPlace, u.Time, place) {
		return true
	}
	if e == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return e.id != "" && e.id != u.ID && newer(e.time, e.place, u.Time, place)
}

// entry returns the entry of the deliveries of incident on channel under
// way in this Broadcaster, nil when there are none.
func (n *newest) entry(incident, channel string) *newestEntry {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.m[pairKey{incident, channel}]
}

// supersededOn reports whether u, whose first Send came at place, is
// superseded on channel: older than last, the latest post of its incident
// there still up (see liveThread), or than an update delivered there by
// this Broadcaster (e: the deliveries' entry, nil when none are under
// way), unless last alone is newer and a Retract deleted it on some
// targets of the channel only (see partlyRetracted): then u goes on to
// those targets, each superseded only where the newer post is still up
// (see storeLedger.newerThere), unless the latest post still up before
// last supersedes u by the same rule (a correction of a newer update,
// posted in the thread on every target, which newerThere sees only when
// the record of the updates that reached targets lists it, see
// storeLedger.loadOrder). The one rule of a Send's delivery
// (delivery.prepare) and of SupersededOn.
func (b *Broadcaster) supersededOn(ctx context.Context, e *newestEntry, channel string, last *Receipt, u *Update, place time.Time) (bool, error) {
	return b.supersededBehind(ctx, e, channel, last, u, place, maxThreadWalk)
}

// supersededBehind is supersededOn, with walks left of the posts before
// a partly deleted one.
func (b *Broadcaster) supersededBehind(ctx context.Context, e *newestEntry, channel string, last *Receipt, u *Update, place time.Time, walks int) (bool, error) {
	if last.UpdateID != "" && last.UpdateID != u.ID && last.UpdateTime.After(u.Time) {
		// A correction posted after a newer update took its Time (see
		// correctionTime): once a Retract deleted that update's post,
		// the correction comes where it would have without it (see
		// placeNow). Only here, where last would supersede u by its
		// Time: a Send of the newer update reads nothing more.
		budget := maxCorrectionChain
		now, err := b.placeNow(ctx, b.channels[b.index(channel)], channel, *last, &budget)
		if err != nil {
			return false, err
		}
		if now.Before(last.UpdateTime) {
			moved := *last
			moved.UpdateTime = now
			last = &moved
		}
	}
	lastPlace, err := b.lastPlace(ctx, channel, last, u)
	if err != nil {
		return false, err
	}
	if !b.newest.supersedesIn(e, last, lastPlace, u, place) {
		return false, nil
	}
	if last.UpdateID != "" && last.UpdateID != u.ID && !b.newest.supersedesIn(e, &Receipt{}, time.Time{}, u, place) {
		partly, err := b.partlyRetracted(ctx, last.UpdateID, channel)
		if err != nil || !partly {
			return err == nil, err
		}
		if walks <= 0 {
			return false, nil
		}
		prev, err := b.previousLive(ctx, b.channels[b.index(channel)], channel, *last, "", nil)
		if err != nil || prev.IsZero() {
			return false, err
		}
		return b.supersededBehind(ctx, nil, channel, &prev, u, place, walks-1)
	}
	return true, nil
}

// newer reports whether an update of Time t1, first sent at place p1,
// comes after one of Time t2, first sent at p2: the contract's order,
// "ties: the order of Sends", where a Send of an update sent before keeps
// its first Send's place. A zero place (a correction's, or one not known)
// comes before every other.
func newer(t1, p1, t2, p2 time.Time) bool {
	return t1.After(t2) || t1.Equal(t2) && p1.After(p2)
}

// lastPlace returns the place of the first Send of the update of last, the
// incident's latest post on channel, when it has u's very Time and is
// another update: only then does the place tell which is the newer (see
// supersedes); zero otherwise, and when no place of it is known. A post
// without a place (a correction's, see recordedPlace) that followed a post
// of that Time has that post's: a correction posted after a newer update
// than its original takes that update's Time (see correctionTime), and
// comes after it, so an update older than that one is older than the
// correction too, while that post is up. Where the post before is
// deleted or of another Time, the walk steps back to the post placeNow
// moved the correction to, past posts deleted since or of its own chain
// (see placeAfter): the correction comes right after it, at its place, so
// that the walk and placeNow agree on the correction's place.
func (b *Broadcaster) lastPlace(ctx context.Context, channel string, last *Receipt, u *Update) (time.Time, error) {
	if last.UpdateID == "" || last.UpdateID == u.ID || !last.UpdateTime.Equal(u.Time) {
		return time.Time{}, nil
	}
	ch := b.channels[b.index(channel)]
	budget := maxCorrectionChain
	post := *last
	for range maxThreadWalk {
		p, err := b.placeOf(ctx, post.UpdateID)
		if err != nil {
			return time.Time{}, fmt.Errorf("store: read when %s, of the same Time, was first sent: %w", post.UpdateID, err)
		}
		if !p.IsZero() {
			return p, nil
		}
		prev, ok, err := b.store.Receipt(ctx, previousKey(post.UpdateID), channel)
		if err != nil {
			return time.Time{}, fmt.Errorf("store: read the post before %s: %w", post.UpdateID, err)
		}
		if ok && prev.UpdateID != "" && prev.UpdateID != post.UpdateID && prev.UpdateID != u.ID && prev.UpdateTime.Equal(u.Time) {
			gone, err := b.retracted(ctx, ch, channel, &prev)
			if err != nil {
				return time.Time{}, err
			}
			if !gone {
				post = prev
				continue
			}
		}
		_, at, err := b.placeAfter(ctx, ch, channel, post, &budget)
		if err != nil {
			return time.Time{}, err
		}
		if at.UpdateID == "" || at.UpdateID == post.UpdateID || at.UpdateID == u.ID || !at.UpdateTime.Equal(u.Time) {
			break
		}
		post = at
	}
	return time.Time{}, nil
}

// placeOf returns the place of update's first Send (see places): the one
// the Store's record of the Time it was first sent with holds (see
// firstSent), or, when the Store has no such record, the one kept in
// memory for it to record (see unrecorded); zero when none knows it. The
// record comes before the memory: what is kept there for an update whose
// record could not be read is no place of its.
func (b *Broadcaster) placeOf(ctx context.Context, update string) (time.Time, error) {
	r, ok, err := b.store.Receipt(ctx, sentKey(update), sentChannel)
	if err != nil {
		return time.Time{}, err
	}
	if ok && !r.UpdateTime.IsZero() {
		return recordedPlace(r), nil
	}
	if first, ok := b.unrecorded.get(update); ok {
		return first.place, nil
	}
	return time.Time{}, nil
}

// readPlace reads the place of the first Send of the delivery's update
// from the Store's record when firstSent could not: the place it gave
// then is the clock's at this Send, and would make the update the newer
// of two of equal Time whichever was first sent first. A record that
// cannot be read fails the attempt transiently, as an unreadable mark
// does: the update is not ordered blind.
func (d *delivery) readPlace(ctx context.Context) error {
	if !d.placeUnread {
		return nil
	}
	r, ok, err := d.b.store.Receipt(ctx, sentKey(d.u.ID), sentChannel)
	if err != nil {
		return fmt.Errorf("store: cannot tell when %s was first sent, not attempting blind: %w", d.u.ID, err)
	}
	if p := recordedPlace(r); ok && r.UpdateTime.Equal(d.u.Time) && !p.IsZero() {
		d.place = p
	}
	d.placeUnread = false
	return nil
}

// correctionMeta is a key of the Meta of the Store's record of the Time
// a correction was first sent with (see firstSent): the record of a Send's
// keeps the place of its first Send as its Receipt.Time, and a
// correction's has none, since a correction is no newer status of its
// incident (see delivery.delivered).
const correctionMeta = "correction"

// recordedPlace returns the place the record r of firstSent holds; zero
// for a correction's.
func recordedPlace(r Receipt) time.Time {
	if _, ok := r.Meta[correctionMeta]; ok {
		return time.Time{}
	}
	return r.Time
}

// places gives each update sent a place among the Sends of updates, by
// the clock: of two updates of an incident with equal Time, the one first
// sent earlier is the older, and a Send of it again keeps that place,
// which the Store's record of its first Send holds (see firstSent).
// Places given by one Broadcaster never repeat; those of instances
// sharing a Store compare as their clocks tell.
type places struct {
	mu   sync.Mutex
	last time.Time // the latest place given
}

// stamp returns a new place: the clock, or just after the latest place
// given when the clock did not move past it.
func (p *places) stamp() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := time.Now().UTC().Round(0)
	if !t.After(p.last) {
		t = p.last.Add(time.Nanosecond)
	}
	p.last = t
	return t
}
