package main

import "time"

// How long, and how many, webhook-ids and updates (title and incident) the
// receiver remembers. Forgetting an id once its timestamp is out of the tolerance
// would stop replays of a captured request, but not a sender's retry: each
// attempt is signed anew with a fresh timestamp, and outagecast retries for
// up to 10 minutes (Broadcaster) or 6 hours (dispatch) by default. The
// count bounds memory whatever the rate; past it, the oldest go first.
const (
	rememberFor = 24 * time.Hour
	rememberMax = 100_000
)

// recent maps keys to values and forgets each key keep after it was first
// put, and the oldest keys beyond limit. It is not safe for concurrent use.
type recent[V any] struct {
	keep  time.Duration
	limit int
	m     map[string]V
	order []putAt // the keys of m, oldest first
}

type putAt struct {
	key string
	at  time.Time
}

func newRecent[V any](keep time.Duration, limit int) *recent[V] {
	return &recent[V]{keep: keep, limit: limit, m: map[string]V{}}
}

// get returns the value of key, if it is still remembered at now.
func (r *recent[V]) get(key string, now time.Time) (V, bool) {
	r.forget(func(e putAt) bool { return now.Sub(e.at) >= r.keep })
	v, ok := r.m[key]
	return v, ok
}

// put sets the value of key at now; a key already there keeps its age.
func (r *recent[V]) put(key string, v V, now time.Time) {
	if _, ok := r.get(key, now); !ok {
		r.order = append(r.order, putAt{key: key, at: now})
	}
	r.m[key] = v
	r.forget(func(putAt) bool { return len(r.order) > r.limit })
}

// forget drops the oldest keys while old says so of the oldest.
func (r *recent[V]) forget(old func(putAt) bool) {
	for len(r.order) > 0 && old(r.order[0]) {
		delete(r.m, r.order[0].key)
		r.order[0] = putAt{} // the array's dead front holds no key
		r.order = r.order[1:]
	}
}

func (r *recent[V]) len() int { return len(r.m) }
