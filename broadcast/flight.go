package broadcast

import (
	"context"
	"sync"
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

type flight struct {
	sem  chan struct{} // holds a token while a delivery runs
	refs int           // deliveries running or waiting
}

// lock waits until no other delivery of update to channel runs, or ctx
// ends. On success the caller must call unlock with the returned flight.
func (f *flights) lock(ctx context.Context, update, channel string) (*flight, error) {
	key := flightKey{update, channel}
	f.mu.Lock()
	if f.m == nil {
		f.m = make(map[flightKey]*flight)
	}
	fl := f.m[key]
	if fl == nil {
		fl = &flight{sem: make(chan struct{}, 1)}
		f.m[key] = fl
	}
	fl.refs++
	f.mu.Unlock()

	select {
	case fl.sem <- struct{}{}:
		return fl, nil
	case <-ctx.Done():
		f.release(key, fl)
		return nil, ctx.Err()
	}
}

// unlock ends the delivery lock took.
func (f *flights) unlock(update, channel string, fl *flight) {
	<-fl.sem
	f.release(flightKey{update, channel}, fl)
}

func (f *flights) release(key flightKey, fl *flight) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl.refs--; fl.refs == 0 {
		delete(f.m, key)
	}
}
