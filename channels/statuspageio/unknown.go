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

// unknownCreates remembers, in memory, the incidents whose creation may
// have reached Statuspage without the channel learning of it (the answer
// lost, cut off or never read), so that a newer update of the incident,
// which has no receipt to thread to, looks for what was made before
// creating another incident. An entry lasts dedupWindow, or until the
// incident is created, or a look-up finds nothing was made.
type unknownCreates struct {
	mu sync.Mutex
	m  map[string]*unknownCreate // by outagecast incident ID
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
	return &unknownCreates{m: map[string]*unknownCreate{}}
}

// add remembers that a create of incident, with a's name and status, sent
// after at, has an unknown outcome.
func (u *unknownCreates) add(incident string, a createAttempt, at, now time.Time) {
	if incident == "" {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, e := range u.m {
		if now.Sub(e.at) > dedupWindow {
			delete(u.m, id)
		}
	}
	e := u.m[incident]
	if e == nil {
		if len(u.m) >= maxUnknown {
			oldest := ""
			for id, e := range u.m {
				if oldest == "" || e.at.Before(u.m[oldest].at) {
					oldest = id
				}
			}
			delete(u.m, oldest)
		}
		e = &unknownCreate{at: at}
		u.m[incident] = e
	}
	if !slices.Contains(e.tried, a) && len(e.tried) < maxUnknownNames {
		e.tried = append(e.tried, a)
	}
}

// get returns what is remembered of incident's creates, false for
// nothing (or nothing within dedupWindow).
func (u *unknownCreates) get(incident string, now time.Time) (unknownCreate, bool) {
	if incident == "" {
		return unknownCreate{}, false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	e := u.m[incident]
	if e == nil || now.Sub(e.at) > dedupWindow {
		return unknownCreate{}, false
	}
	return unknownCreate{at: e.at, tried: slices.Clone(e.tried)}, true
}

// forget drops incident: it was created, or nothing was made.
func (u *unknownCreates) forget(incident string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, incident)
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
// the retry takes it, by what was remembered. An entry lasts dedupWindow,
// or until the update is posted.
type lostPatches struct {
	mu sync.Mutex
	m  map[string]lostPatch // by Message.Key
}

// lostPatch is what the channel knows of an update's request with an
// unknown outcome.
type lostPatch struct {
	incident string    // the Statuspage incident's id
	at       time.Time // the request was sent after this
	seen     []string  // the incident updates the incident listed before it
}

func newLostPatches() *lostPatches {
	return &lostPatches{m: map[string]lostPatch{}}
}

// add remembers that the request of the update key to the incident,
// sent after at, when the incident listed the updates seen, has an
// unknown outcome. It replaces what an earlier attempt left.
func (l *lostPatches) add(key, incident string, seen []string, at, now time.Time) {
	if key == "" || incident == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, e := range l.m {
		if now.Sub(e.at) > dedupWindow {
			delete(l.m, k)
		}
	}
	if _, ok := l.m[key]; !ok && len(l.m) >= maxLostPatches {
		oldest := ""
		for k, e := range l.m {
			if oldest == "" || e.at.Before(l.m[oldest].at) {
				oldest = k
			}
		}
		delete(l.m, oldest)
	}
	l.m[key] = lostPatch{incident: incident, at: at, seen: slices.Clone(seen)}
}

// get returns what is remembered of the update key's request to the
// incident, false for nothing (or nothing within dedupWindow).
func (l *lostPatches) get(key, incident string, now time.Time) (lostPatch, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.m[key]
	if !ok || e.incident != incident || now.Sub(e.at) > dedupWindow {
		return lostPatch{}, false
	}
	return e, true
}

// forget drops the update key: it was posted.
func (l *lostPatches) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
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
