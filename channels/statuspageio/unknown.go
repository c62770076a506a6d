package statuspageio

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// Bounds of the creates with an unknown outcome the channel remembers.
const (
	maxUnknown      = 1024 // incidents
	maxUnknownNames = 8    // names (and statuses) of one incident's creates
)

// recent is a map, in memory, of entries that each last dedupWindow from
// when they were made, at most max of them: one made past max drops the
// oldest. What unknownCreates and lostPatches keep.
type recent[V any] struct {
	mu  sync.Mutex
	max int
	m   map[string]*recentEntry[V]
}

// recentEntry is an entry of recent: made after at, holding v.
type recentEntry[V any] struct {
	at time.Time
	v  V
}

func newRecent[V any](max int) recent[V] {
	return recent[V]{max: max, m: map[string]*recentEntry[V]{}}
}

// update calls f, under the lock, with key's entry, made first (after at)
// when there is none; the entries past dedupWindow at now are dropped
// before.
func (r *recent[V]) update(key string, at, now time.Time, f func(*recentEntry[V])) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, e := range r.m {
		if now.Sub(e.at) > dedupWindow {
			delete(r.m, k)
		}
	}
	e := r.m[key]
	if e == nil {
		if len(r.m) >= r.max {
			oldest := ""
			for k, e := range r.m {
				if oldest == "" || e.at.Before(r.m[oldest].at) {
					oldest = k
				}
			}
			delete(r.m, oldest)
		}
		e = &recentEntry[V]{at: at}
		r.m[key] = e
	}
	f(e)
}

// read calls f, under the lock, with key's entry within dedupWindow at
// now, and returns what f returns; false when there is none.
func (r *recent[V]) read(key string, now time.Time, f func(*recentEntry[V]) bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.m[key]
	return e != nil && now.Sub(e.at) <= dedupWindow && f(e)
}

// forget drops key's entry.
func (r *recent[V]) forget(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, key)
}

// unknownCreates remembers, in memory, the incidents whose creation may
// have reached Statuspage without the channel learning of it (the answer
// lost, cut off or never read), so that a newer update of the incident,
// which has no receipt to thread to, looks for what was made before
// creating another incident. An entry, by outagecast incident ID, lasts
// dedupWindow, or until the incident is created, or a look-up finds
// nothing was made.
type unknownCreates struct {
	recent[[]createAttempt] // the name and status of each create, distinct
}

// unknownCreate is what the channel knows of an incident's creates with
// an unknown outcome.
type unknownCreate struct {
	at    time.Time       // the first such create was sent after this
	tried []createAttempt // the name and status of each, distinct
}

// createAttempt is what a create sent: its name, status and body (a hash
// of it as sameText compares it, to keep the entry small).
type createAttempt struct {
	name   string
	status broadcast.Status
	body   [sha256.Size]byte
}

// attemptOf returns the createAttempt of f.
func attemptOf(f incidentFields) createAttempt {
	return createAttempt{name: f.Name, status: f.Status, body: sha256.Sum256([]byte(normText(f.Body)))}
}

// madeBy reports whether inc, which carries no metadata, has the name and
// the first body of a.
func (a createAttempt) madeBy(inc incident) bool {
	return len(inc.Updates) > 0 && inc.Name == a.name && sha256.Sum256([]byte(normText(inc.first().Body))) == a.body
}

func newUnknownCreates() *unknownCreates {
	return &unknownCreates{newRecent[[]createAttempt](maxUnknown)}
}

// add remembers that a create of incident, with a's name and status, sent
// after at, has an unknown outcome.
func (u *unknownCreates) add(incident string, a createAttempt, at, now time.Time) {
	if incident == "" {
		return
	}
	u.update(incident, at, now, func(e *recentEntry[[]createAttempt]) {
		if !slices.Contains(e.v, a) && len(e.v) < maxUnknownNames {
			e.v = append(e.v, a)
		}
	})
}

// get returns what is remembered of incident's creates, false for
// nothing (or nothing within dedupWindow).
func (u *unknownCreates) get(incident string, now time.Time) (c unknownCreate, ok bool) {
	ok = incident != "" && u.read(incident, now, func(e *recentEntry[[]createAttempt]) bool {
		c = unknownCreate{at: e.at, tried: slices.Clone(e.v)}
		return true
	})
	return c, ok
}

// maxLostPatches bounds the updates with no body text whose request has an
// unknown outcome the channel remembers (see lostPatches).
const maxLostPatches = 1024

// lostPatches remembers, in memory, the updates with no body text that
// read the incident before their request (see Channel.patch) and whose
// request has an unknown outcome (the answer lost, cut off or never read):
// the incident updates the incident listed before it. A retry of the same
// update (the same Message.Key) reads the incident first too, and would
// count the incident update that request made among those made before its
// own; sent again, the request makes none when it changed the status. So
// the retry takes it, by what was remembered. An entry, by Message.Key,
// lasts dedupWindow, or until the update is posted.
type lostPatches struct {
	recent[lostPatch]
}

// lostPatch is what the channel knows of an update's request with an
// unknown outcome.
type lostPatch struct {
	incident string    // the Statuspage incident's id
	at       time.Time // the request was sent after this (the entry's, see get)
	seen     []string  // the incident updates the incident listed before it
}

func newLostPatches() *lostPatches {
	return &lostPatches{newRecent[lostPatch](maxLostPatches)}
}

// add remembers that the request of the update key to the incident,
// sent after at, when the incident listed the updates seen, has an
// unknown outcome. It replaces what an earlier attempt left.
func (l *lostPatches) add(key, incident string, seen []string, at, now time.Time) {
	if key == "" || incident == "" {
		return
	}
	l.update(key, at, now, func(e *recentEntry[lostPatch]) {
		e.at, e.v = at, lostPatch{incident: incident, seen: slices.Clone(seen)}
	})
}

// get returns what is remembered of the update key's request to the
// incident, false for nothing (or nothing within dedupWindow).
func (l *lostPatches) get(key, incident string, now time.Time) (p lostPatch, ok bool) {
	ok = l.read(key, now, func(e *recentEntry[lostPatch]) bool {
		p = e.v
		p.at = e.at
		return p.incident == incident
	})
	if !ok {
		return lostPatch{}, false
	}
	return p, true
}

// outcomeUnknown reports whether a request that failed with err may have
// been carried out by Statuspage: every failure but one the request never
// left for (notSentError) and the API's own refusal (a 4xx with its error
// body, rate limits included), which made nothing.
func outcomeUnknown(err error) bool {
	var ns *notSentError
	if errors.As(err, &ns) {
		return false
	}
	var e *apiError
	return !errors.As(err, &e) || e.foreign || e.status >= http.StatusInternalServerError
}

// notSentError is the failure of a request that was never sent.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }
