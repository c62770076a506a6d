package broadcast

import (
	"context"
	"sync"
)

// Locks is an Options.Lock for Broadcasters of one process that share a
// Store: without a Lock, each Broadcaster keeps its own deliveries apart
// only, and two of them sending the same update at the same moment may
// both find it not done and both post it; nor would an older update of an
// incident wait for a newer one's attempt under way in the other.
// Give every Broadcaster on the Store the same Locks' Lock (MemoryStore's
// and broadcast/boltstore's Lock are one). Broadcasters in other processes
// need a Lock the processes share, such as broadcast/pgstore's.
//
// The zero value is ready to use. A Locks must not be copied after first
// use.
type Locks struct {
	mu sync.Mutex
	m  map[localKey]*localLock
}

type localKey struct {
	kind          byte // 'i' incident, 'p' post, 'u' update
	name, channel string
}

// localLock is one key's lock, and how many hold or wait for it.
type localLock struct {
	refs int // guarded by Locks.mu
	waitLock
}

// Lock waits until no other holder of this Locks holds key's update on
// key.Channel (nor, when set, key's incident or post on it, see LockKey),
// and holds them, or until ctx ends, and then fails with ctx's error (at
// once when ctx is done already).
// unlock releases them; calling it again does nothing. It fits
// Options.Lock.
func (l *Locks) Lock(ctx context.Context, key LockKey) (unlock func(), err error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if err := ctx.Err(); err != nil {
		return nil, err // done already: no lock, as no other call of a Store
	}
	// Always the incident's first, then the post's, then the update's, as
	// LockKey says: two holders never wait for each other's later lock.
	keys := make([]localKey, 0, 3)
	if key.IncidentID != "" {
		keys = append(keys, localKey{'i', key.IncidentID, key.Channel})
	}
	if key.Post != "" {
		keys = append(keys, localKey{'p', key.Post, key.Channel})
	}
	keys = append(keys, localKey{'u', key.UpdateID, key.Channel})
	held := make([]*localLock, 0, len(keys))
	release := func() {
		for i := len(held) - 1; i >= 0; i-- {
			held[i].unlock()
			l.leave(keys[i], held[i])
		}
	}
	for _, k := range keys {
		ll := l.join(k)
		if err := ll.lock(ctx); err != nil {
			l.leave(k, ll)
			release()
			return nil, err
		}
		held = append(held, ll)
	}
	return sync.OnceFunc(release), nil
}

// join counts one more holder or waiter of k's lock, making it if needed.
func (l *Locks) join(k localKey) *localLock {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[localKey]*localLock)
	}
	ll := l.m[k]
	if ll == nil {
		ll = &localLock{}
		l.m[k] = ll
	}
	ll.refs++
	return ll
}

// leave undoes join, forgetting k's lock after its last holder or waiter.
func (l *Locks) leave(k localKey, ll *localLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ll.refs--; ll.refs == 0 {
		delete(l.m, k)
	}
}
