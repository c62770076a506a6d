package discord

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
)

// maxBucketWait caps a hold of a bucket: Discord's buckets refill within
// seconds or minutes, and a longer X-RateLimit-Reset-After is no bucket's.
const maxBucketWait = time.Hour

// buckets keeps what the rate limit headers of Discord's answers said of
// the webhook's routes. A request to a route whose bucket an answer,
// a 2xx included, said was used up (X-RateLimit-Remaining: 0) waits until
// the bucket refills (X-RateLimit-Reset-After): Discord would refuse it
// with a 429, and it counts every 401, 403 and 429 against the IP address
// the request came from (Invalid Request Limit: 10,000 in 10 minutes, then
// a ban by its edge). A route that no answer placed in a bucket yet
// waits for every bucket used up: it may be in one of them. A global
// rate limit (a 429 with X-RateLimit-Global, or X-RateLimit-Scope:
// global), and the edge's rate limit of the IP address (Cloudflare's
// error 1015, see edgeRateLimit), hold every route; such a hold remembers
// which of them holds, which the error of a request it holds back names.
type buckets struct {
	mu     sync.Mutex
	of     map[string]string // route → its bucket, as X-RateLimit-Bucket names it
	limits ratelimit.Limits  // bucket (the route, while none is named) → when it refills
	every  everyHold         // the latest hold of every route; mu guards it
}

// everyHold is a hold of every route (ratelimit.Every) and why it holds.
type everyHold struct {
	until time.Time
	what  string // the limit that holds, named as in an error: whatEdge or whatGlobal
}

// newBuckets returns empty buckets.
func newBuckets() *buckets { return &buckets{limits: ratelimit.Limits{Max: maxBucketWait}} }

// key is the bucket of route, or route while no answer named one, and
// whether one did.
func (b *buckets) key(route string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k, ok := b.of[route]; ok {
		return k, true
	}
	return route, false
}

// keyLocked is key's bucket, or route; b.mu is held.
func (b *buckets) keyLocked(route string) string {
	if k, ok := b.of[route]; ok {
		return k
	}
	return route
}

// note records the rate limit headers h of an answer to route, received at
// now, and err, the answer's classified error, and gives back r, the
// request's reservation (nil: none): a global rate limit, or the edge's
// of the IP address, holds every route for its wait. The route is placed
// in its bucket, and what the answer says of the bucket noted, under
// b.mu, in one step: a request that looks at its route's bucket (reserve)
// never sees the route placed in a bucket without what the answer said
// of it.
func (b *buckets) note(r *ratelimit.Reservation, route string, h http.Header, err error, now time.Time) {
	var every string // the hold of every route the answer asks for, if any
	d, wait := broadcast.RetryDelay(err)
	wait = wait && d > 0
	b.mu.Lock()
	if bucket := strings.TrimSpace(h.Get("X-RateLimit-Bucket")); bucket != "" {
		if b.of == nil {
			b.of = map[string]string{}
		}
		b.of[route] = bucket
	}
	key := b.keyLocked(route)
	noteLeft := b.limits.Note
	if r != nil {
		noteLeft = r.Note
	}
	noteLeft(key, h.Get("X-RateLimit-Remaining"), now, func() (time.Duration, bool) {
		v, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Reset-After")), 64)
		if err != nil {
			return 0, false
		}
		return httpx.Seconds(v)
	})
	if wait {
		switch {
		case edgeLimited(err):
			every = whatEdge
		case globalLimit(h, err):
			every = whatGlobal
		case routeLimited(err):
			// Its own wait, which a limit of the resource (scope
			// shared) gives with the bucket not used up.
			b.limits.Hold(key, now, d)
		}
	}
	b.mu.Unlock()
	if every != "" {
		b.holdEvery(now, d, every)
	}
}

// holdEvery holds every route for d from now, as the limit what (see
// everyHold) says; a hold that ends earlier than one in force is ignored,
// as ratelimit.Limits.Hold ignores it, and so is its reason.
func (b *buckets) holdEvery(now time.Time, d time.Duration, what string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.limits.Hold(ratelimit.Every, now, d)
	if until := now.Add(min(d, maxBucketWait)); until.After(b.every.until) {
		b.every = everyHold{until: until, what: what}
	}
}

// tryReserve reserves a request to route at now, as reserve does, if it
// may be made without waiting for a limit, and else reserves nothing and
// returns nil: the check and the reservation are one step of the
// limits (ratelimit.Limits.TryReserve), so that no request made meanwhile
// takes the bucket the check found free. A route that no answer placed in
// a bucket yet is refused while any bucket is held, as reserve waits for
// every one, and so is a route an answer placed in a bucket between the
// look at its bucket and the reservation: both are looked for after the
// reservation, so that what came before it is seen.
func (b *buckets) tryReserve(route string, now time.Time) *ratelimit.Reservation {
	key, known := b.key(route)
	r, ok := b.limits.TryReserve(now, 1, key)
	if !ok {
		return nil
	}
	if !b.still(route, key, known, now, time.Time{}) {
		r.Release()
		return nil
	}
	return r
}

// what names, for an error, the limit that holds a request to route back
// at now until the time until (see ratelimit.Limits.Until): a hold of
// every route, when it is in force and lasts as long as the request's
// wait, else the webhook's bucket. It is asked again before each wait:
// one may end to find a later hold, of another limit, come meanwhile.
func (b *buckets) what(now, until time.Time) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.every; e.until.After(now) && !e.until.Before(until) {
		return e.what
	}
	return whatBucket
}

// edgeLimited reports whether err is Discord's edge rate limiting the IP
// address the request came from (see edgeRateLimit): every request from
// it, to any route, is refused until the wait is over, and counts as
// another invalid request.
func edgeLimited(err error) bool {
	var e *apiError
	return errors.As(err, &e) && e.edgeLimit
}

// routeLimited reports whether err is a rate limit of the route, which
// Discord asks to wait retry_after (or Retry-After) before the route's
// next request
// (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit):
// a 429, or one of Discord's codes for limits that pass with time. A 429
// of a limit of the resource (X-RateLimit-Scope: shared) comes with the
// route's bucket not used up, and a wait of its own.
func routeLimited(err error) bool {
	var e *apiError
	return errors.As(err, &e) && (e.Status == http.StatusTooManyRequests || slices.Contains(transientCodes, e.Code))
}

// globalLimit reports whether err, with the header h, is Discord's global
// rate limit, which holds every route of the webhook.
func globalLimit(h http.Header, err error) bool {
	var e *apiError
	return strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-Global")), "true") ||
		strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-Scope")), "global") ||
		(errors.As(err, &e) && e.Global)
}

// reserve waits, by c, until the bucket of route refills, if an answer
// said it was used up or has no more left than requests made and not yet
// answered, and then reserves the request until its answer (note) or its
// failure (Release): two requests made together with one left do not
// both go, one into a 429 (see ratelimit.Limits.Reserve; a wait longer
// than ctx leaves, or one ctx ends, fails as a rate limit, and makes no
// request). A route that no answer placed in a bucket yet waits for
// every bucket used up first, and is looked at again once reserved, as
// tryReserve does: an answer that placed it in a bucket meanwhile (a
// used up one, whose refill it then waits for), or a hold of a bucket
// that came meanwhile, gives the reservation back and starts over.
// Looking after reserving makes the two one step: note places a route
// and notes its bucket under b.mu, so a placement the look does not see
// came after the request was reserved, as an answer that comes after a
// request was made.
func (b *buckets) reserve(ctx context.Context, route string, c ratelimit.Clock) (*ratelimit.Reservation, error) {
	what := func(until time.Time) string { return b.what(c.Now(), until) }
	var waited time.Time // the end of the last wait for every bucket
	for {
		key, known := b.key(route)
		if !known {
			// A route no answer placed yet may share the bucket used up.
			until := b.limits.UntilAll()
			if err := ratelimit.WaitUntil(ctx, c, what(until), until); err != nil {
				return nil, err
			}
			waited = later(waited, until)
		}
		r, err := b.limits.ReserveNaming(ctx, c, what, 1, key)
		if err != nil {
			return nil, err
		}
		if b.still(route, key, known, c.Now(), waited) {
			return r, nil
		}
		r.Release()
	}
}

// still reports whether a request to route reserved under key (known: the
// route's bucket, else the route itself) may go at now: the route is
// still in that bucket, or in none, and, in none, no bucket is held
// past now and past waited, the end of the holds the request waited for
// (a clock that did not move holds no more, as in
// ratelimit.Limits.ReserveNaming).
func (b *buckets) still(route, key string, known bool, now, waited time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	k, placed := b.of[route]
	if placed != known || placed && k != key {
		return false
	}
	until := b.limits.UntilAll()
	return known || !until.After(now) || !until.After(waited)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// The limits that hold a request back, named in its error as in "rate
// limit: the webhook's bucket is used up for 30s more".
const (
	whatBucket = "the webhook's bucket"
	whatGlobal = "Discord's global rate limit"
	// whatEdge is the edge's ban of the IP address (see edgeRateLimit).
	whatEdge = "the invalid request limit of the IP address, which Discord's edge (Cloudflare) bans for a while (error 1015),"
)

// route names the rate limit route of a request to path ("" or
// "/messages/ID"): Discord's buckets are per route and its major
// parameter, the webhook, not per message.
func route(method, path string) string {
	if path == "" {
		return method
	}
	return method + " /messages"
}
