package broadcast

import (
	"context"
	"sync"
	"sync/atomic"
)

// flights serializes deliveries of the same update to the same channel
// within one Broadcaster, so that two concurrent Sends of one update (an
// alert re-sent by a second Alertmanager, a double click) deliver it once:
// the second waits, then finds the first's delivery mark in the Store.
// Different updates and different channels never wait for each other.
type flights struct {
	mu sync.Mutex
	m  map[flightKey]*flight
}

type flightKey struct{ update, channel string }

// flight is one (update, channel) with deliveries running or waiting; its
// waitLock lets one run at a time.
type flight struct {
	refs int // deliveries running or waiting; guarded by flights.mu
	waitLock
	// retracted: a Retract of the update stopped its deliveries to the
	// channel (see flights.retract).
	retracted atomic.Bool
	// retractions counts the Retracts waiting for the flight,
	// retractHolding says one holds it, and retractHeld says one went
	// ahead with it (recorded in the Store that the update is not to be
	// posted): a Retract whose wait ends with its context, for the flight,
	// or whose attempt, once it holds it, failed before that record (its
	// context ended, Options.Lock or the Store failed), retracted nothing,
	// and when no other waits, holds it or went ahead, its mark is taken
	// back (see flights.retract). Guarded by flights.mu.
	retractions    int
	retractHolding bool
	retractHeld    bool
	// refused counts the deliveries of the flight that ended with targets
	// failed permanently: a delivery that joined the flight before one of
	// them ended is of a Send concurrent with it, and does not try those
	// targets again (see delivery.refusedSeen).
	refused atomic.Uint64
	stop    chan struct{} // closed once retracted; nil until a delivery waits; guarded by flights.mu
	gone    chan struct{} // closed once forgotten; nil until a delivery waits (see retractionEnd); guarded by flights.mu
	// settled is closed once the wait of a Retract that marked the flight
	// ends, with the flight or given up; nil until a delivery yields to
	// one (see yieldTo). Guarded by flights.mu.
	settled chan struct{}
}

// waitLock is a lock whose waiters give up when their context ends.
// Uncontended, it costs no channel: one is made only when someone has to
// wait.
type waitLock struct {
	mu      sync.Mutex
	held    bool
	release chan struct{} // closed when the holder unlocks; nil: no waiter
}

// join registers a delivery of update to each of the channels named, in one critical
// section for the whole Send; leave undoes it once the deliveries ended.
// seen gets, in that section, each flight's refused count as the delivery
// joined it (see delivery.refusedSeen): read after it, a delivery of a
// concurrent Send that ended in between would count as earlier.
func (f *flights) join(update string, channels []string, seen func(i int, refused uint64)) []*flight {
	fls := make([]*flight, len(channels))
	var fresh []flight // the new flights of this Send, in one allocation
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = make(map[flightKey]*flight)
	}
	for i, name := range channels {
		key := flightKey{update, name}
		fl := f.m[key]
		if fl == nil {
			if fresh == nil {
				fresh = make([]flight, len(channels)-i)
			}
			fl, fresh = &fresh[0], fresh[1:]
			f.m[key] = fl
		}
		fl.refs++
		fls[i] = fl
		seen(i, fl.refused.Load())
	}
	return fls
}

func (f *flights) leave(update string, channels []string, fls []*flight) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, fl := range fls {
		f.drop(flightKey{update, channels[i]}, fl)
	}
}

// drop ends one reference to fl, the flight of key, and forgets it after
// the last. The caller holds f.mu.
func (f *flights) drop(key flightKey, fl *flight) {
	if fl.refs--; fl.refs == 0 {
		delete(f.m, key)
		if fl.gone != nil {
			close(fl.gone)
		}
	}
}

// active reports whether a delivery of update to channel runs or waits.
func (f *flights) active(update, channel string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[flightKey{update, channel}] != nil
}

// retract stops the deliveries of update to channel that run or wait in
// f, and waits until none runs, or until ctx ends: an attempt under way
// ends first, so that what it posted is in the Store, while a delivery
// waiting to retry stops without posting, and so do those that wait for
// their turn (see delivery.prepare). It then holds the flight until
// release is called: a delivery that starts meanwhile waits, and then
// stops too, so that none posts after the retraction looked for posts.
// One whose ctx ends first stopped nothing for good: unless another
// Retract waits, holds the flight or went ahead, the deliveries go on;
// and so when release is called with ahead false, by a Retract whose
// attempt failed before it recorded that the update is not to be posted
// (its ctx ended while it waited for Options.Lock, or the lock or the
// Store failed).
func (f *flights) retract(ctx context.Context, update, channel string) (release func(ahead bool), err error) {
	key := flightKey{update, channel}
	fl := f.ref(key, func(fl *flight) {
		fl.retractions++
		if !fl.retracted.Swap(true) && fl.stop != nil {
			close(fl.stop)
		}
	})
	err = fl.lock(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	fl.retractions--
	if fl.settled != nil {
		close(fl.settled) // the deliveries that yielded to it look again
		fl.settled = nil
	}
	if err != nil {
		f.takeBack(fl)
		f.drop(key, fl)
		return nil, err
	}
	fl.retractHolding = true
	return func(ahead bool) {
		f.mu.Lock()
		fl.retractHolding = false
		if ahead {
			fl.retractHeld = true
		} else {
			f.takeBack(fl)
		}
		f.mu.Unlock()
		f.unhold(key, fl)
	}, nil
}

// takeBack takes back the mark of a Retract that retracted nothing,
// unless another waits for fl, holds it or went ahead: the deliveries it
// stopped go on. One woken by the stop closed already looks again, and
// goes on. The caller holds f.mu.
func (f *flights) takeBack(fl *flight) {
	if fl.retractions == 0 && !fl.retractHolding && !fl.retractHeld {
		fl.retracted.Store(false)
		fl.stop = nil
	}
}

// yieldTo tells a delivery that holds fl, marked retracted, what the
// mark means: retracted, when a Retract of the update went ahead (got
// the flight, and recorded that the update is not to be posted), and so
// the delivery stops; otherwise, when one waits for
// the flight, a channel closed once its wait ends, for the delivery to
// let it have the flight until then (see delivery.yield) rather than
// stop for a Retract that may yet give up and retract nothing; neither
// when the mark was taken back.
func (f *flights) yieldTo(fl *flight) (retracted bool, settled <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case !fl.retracted.Load():
		return false, nil
	case fl.retractHeld || fl.retractions == 0:
		return true, nil
	}
	if fl.settled == nil {
		fl.settled = make(chan struct{})
	}
	return false, fl.settled
}

// retracting reports whether a Retract of update on channel is under way
// (or waits for the delivery it stopped).
func (f *flights) retracting(update, channel string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl := f.m[flightKey{update, channel}]
	return fl != nil && fl.retracted.Load()
}

// retractionEnd returns a channel closed once no Retract of update on
// channel is under way in f (nor waits for the delivery it stopped, nor
// to retry): the flight it marked is forgotten. It returns nil when none
// is.
func (f *flights) retractionEnd(update, channel string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl := f.m[flightKey{update, channel}]
	if fl == nil || !fl.retracted.Load() {
		return nil
	}
	if fl.gone == nil {
		fl.gone = make(chan struct{})
	}
	return fl.gone
}

// stopping returns a channel closed once a Retract stops fl's deliveries.
func (f *flights) stopping(fl *flight) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl.stop == nil {
		fl.stop = make(chan struct{})
		if fl.retracted.Load() {
			close(fl.stop)
		}
	}
	return fl.stop
}

// hold waits until no one else in f holds key, and holds it, or until
// ctx ends; unhold ends it.
func (f *flights) hold(ctx context.Context, key flightKey) (*flight, error) {
	return f.holdAnd(ctx, key, nil)
}

// holdAnd is hold, calling first (if not nil) with key's flight under f's
// lock before it waits: a retraction marks it so at once.
func (f *flights) holdAnd(ctx context.Context, key flightKey, first func(*flight)) (*flight, error) {
	fl := f.ref(key, first)
	if err := fl.lock(ctx); err != nil {
		f.leaveOne(key, fl)
		return nil, err
	}
	return fl, nil
}

// ref takes a reference to key's flight, without its lock, calling first
// (if not nil) with it under f's lock; leaveOne ends it. A retraction
// keeps one to the flight of its update's deliveries from before its
// first attempt to after its last (see delivery.loop): the mark its
// attempts set stays between them.
func (f *flights) ref(key flightKey, first func(*flight)) *flight {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = make(map[flightKey]*flight)
	}
	fl := f.m[key]
	if fl == nil {
		fl = &flight{}
		f.m[key] = fl
	}
	fl.refs++
	if first != nil {
		first(fl)
	}
	return fl
}

// unhold ends what hold took.
func (f *flights) unhold(key flightKey, fl *flight) {
	fl.unlock()
	f.leaveOne(key, fl)
}

// leaveOne is leave for the one flight fl of key.
func (f *flights) leaveOne(key flightKey, fl *flight) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drop(key, fl)
}

// lock waits until the lock is free, and takes it, or until ctx ends;
// unlock frees it. For a flight: until no other delivery of its update
// and channel runs.
func (fl *waitLock) lock(ctx context.Context) error {
	for {
		fl.mu.Lock()
		if !fl.held {
			fl.held = true
			fl.mu.Unlock()
			return nil
		}
		if fl.release == nil {
			fl.release = make(chan struct{})
		}
		wait := fl.release
		fl.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (fl *waitLock) unlock() {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	fl.held = false
	if fl.release != nil {
		close(fl.release) // every waiter tries again; one wins
		fl.release = nil
	}
}
