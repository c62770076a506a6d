package main

import "time"

// How long and how many webhook-ids the receiver remembers. Forgetting an
// id once its timestamp is out of the tolerance would stop replays of a
// captured request, but not a sender's retry: each attempt is signed anew
// with a fresh timestamp, and outagecast retries for up to 10 minutes
// (Broadcaster) or 6 hours (dispatch) by default. The count bounds memory
// whatever the rate; past it, the oldest ids go first.
const (
	rememberIDs = 24 * time.Hour
	maxIDs      = 100_000
)

// seenIDs is a set of webhook-ids that forgets each one keep after it was
// added, and the oldest ones beyond limit. It is not safe for concurrent use.
type seenIDs struct {
	keep  time.Duration
	limit int
	at    map[string]time.Time
	order []seenID // oldest first
}

type seenID struct {
	id string
	at time.Time
}

func newSeenIDs(keep time.Duration, limit int) *seenIDs {
	return &seenIDs{keep: keep, limit: limit, at: map[string]time.Time{}}
}

// add records id, seen at now, and reports whether it was in the set.
func (s *seenIDs) add(id string, now time.Time) bool {
	s.forget(func(e seenID) bool { return now.Sub(e.at) >= s.keep })
	if _, ok := s.at[id]; ok {
		return true
	}
	s.at[id] = now
	s.order = append(s.order, seenID{id: id, at: now})
	s.forget(func(seenID) bool { return len(s.order) > s.limit })
	return false
}

// forget drops the oldest ids while old says so of the oldest.
func (s *seenIDs) forget(old func(seenID) bool) {
	for len(s.order) > 0 && old(s.order[0]) {
		delete(s.at, s.order[0].id)
		s.order[0] = seenID{} // the array's dead front holds no id
		s.order = s.order[1:]
	}
}

func (s *seenIDs) len() int { return len(s.at) }
