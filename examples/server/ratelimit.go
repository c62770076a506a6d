package main

import (
	"crypto/sha256"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of -rate-limit and -rate-burst: a burst of 20 updates (an
// incident opened on many components at once, a bridge's alerts of one
// outage), then one every 6 seconds, far more than people read, far less
// than a tool posting in a loop.
const (
	defaultRateLimit = 10 // updates a minute
	defaultRateBurst = 20
)

// limits bound the updates each client queues: posts, corrections and
// retractions, which each reach every channel. A client is a bearer
// token (the requests that reach the limits carry one of the server's), so
// there are at most as many limiters as tokens: the map never grows past
// them, and an idle client's limiter is one small struct.
type limits struct {
	perMinute int
	burst     int
	now       func() time.Time

	mu      sync.Mutex
	clients map[[sha256.Size]byte]*rate.Limiter // by the token's digest
}

// newLimits returns the limits of perMinute updates a minute per client,
// after a burst of burst; nil (no limit) when perMinute is 0.
func newLimits(perMinute, burst int) *limits {
	if perMinute == 0 {
		return nil
	}
	return &limits{perMinute: perMinute, burst: burst, now: time.Now, clients: map[[sha256.Size]byte]*rate.Limiter{}}
}

// take counts one update of the client of r and returns 0, or, when the
// client is over its limit, counts nothing and returns how long it must
// wait.
func (l *limits) take(r *http.Request) time.Duration {
	key := sha256.Sum256([]byte(bearerToken(r)))
	l.mu.Lock()
	lim, ok := l.clients[key]
	if !ok {
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMinute)), l.burst)
		l.clients[key] = lim
	}
	l.mu.Unlock()
	now := l.now()
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now) // a reservation in the future: taken back whole
		return d
	}
	return 0
}

// String says the limits in words.
func (l *limits) String() string {
	return fmt.Sprintf("at most %d updates a minute after a burst of %d", l.perMinute, l.burst)
}

// bearerToken returns the token of r's Authorization header, read as
// bearer.Tokens.Check reads it, so that one token is one client however
// the header spells the scheme or spaces it.
func bearerToken(r *http.Request) string {
	_, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return strings.TrimSpace(tok)
}

// limitUpdates answers 429 (RFC 6585, 4), with Retry-After in whole
// seconds, to a client over a.limits, before next reads anything of the
// request: nothing is queued, and the same request later is served. Every
// request served counts, whatever next answers: the limits cannot know
// before, and x/time/rate takes back only a reservation not yet due.
func (a *api) limitUpdates(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.limits == nil {
			next.ServeHTTP(w, r)
			return
		}
		d := a.limits.take(r)
		if d <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		secs := int(math.Ceil(d.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeProblem(w, http.StatusTooManyRequests, "",
			fmt.Sprintf("too many updates from this token (%s): nothing was queued; send it again in %ds", a.limits, secs))
	})
}
