// Package ratelimit holds a channel's requests to a platform's rate limit
// that an answer said is used up, until the limit resets.
//
// X, Mastodon, Bluesky and Discord say in the headers of every answer, a
// success included, how many requests a limit has left and when it
// resets. A request sent after an answer said "0 left" is refused with a
// 429 (which Discord also counts toward a ban of the IP address). A
// channel notes each answer's headers in its Limits (Note, Hold), keyed by
// the limit the platform counts the request against (X's endpoint,
// Mastodon's group of endpoints, Discord's bucket), and calls Wait (or
// Reserve, below) before each request: the request waits until the limit
// resets, with the channel's clock and sleep (Clock), so that tests need
// no real sleeping.
//
// Some limits count points, not requests: a Bluesky PDS counts an
// account's record writes, a post 3 points, an update 2, a deletion 1,
// and says in points what is left. A Limits remembers what a limit has
// left until its reset (the fewest an answer said: answers to requests
// made together arrive in any order), and WaitFor holds a request that
// costs more than that, not one that costs less: a deletion may go when
// too few points are left for a post. Wait is WaitFor a cost of 1, held
// only by a limit with nothing left. Reserve waits as WaitFor does and
// then counts the request's cost as spent until its answer, so that
// requests made together do not spend the same points twice: each of the
// four channels reserves its requests so, and notes their answers with
// the Reservation (Note, or NoteEach for an answer that speaks of several
// limits, as X's of its endpoint window and 24-hour limits). A request
// held only by what requests not yet answered reserved goes as soon as
// one of them gives its reservation back and leaves it room, not at the
// reset. TryReserve reserves a request that must not wait (one made for a
// convenience after the work is done), or refuses it at once.
//
// A hold is capped at Limits.Max: a reset far in the future is a bogus
// header or a clock far off, not a limit. A wait that would leave the
// request too little of the context's time (see MinRoom) is not begun, and
// one the context ends fails: both are rate limits, transient with
// broadcast.RetryAfter the time left, and make no request. A wait whose
// Sleep fails permanent (a channel's Close ended it) fails with that
// error, and makes no request. Unparsable headers hold nothing.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// DefaultMax caps a hold of Limits whose Max is zero.
const DefaultMax = time.Hour

// MinRoom is the time a wait must leave before the context's deadline
// for the request that follows it: a wait leaving less (or, when the
// context had less than twice MinRoom left, less than half of what it
// had) is not begun. A hold ending just before the deadline would leave
// the request no time to finish, and a post whose answer the deadline
// cut may have been made: retried, it could be made twice where the
// platform takes no idempotency key (Discord). Ten seconds is a slow
// platform's answer, with a new connection's TLS, during an outage; the
// wait not begun costs nothing but an attempt: its RetryAfter starts the
// next attempt after the reset, with a whole attempt's time and no wait.
const MinRoom = 10 * time.Second

// Every is the key of a limit that every request counts against (a
// global limit): a hold of Every holds every request.
const Every = "*"

// Clock is what a wait reads the time and sleeps with: a channel's hooks.
// A Sleep error marked broadcast.Permanent (the channel closed, see
// httpx.Client.Sleeper) ends the wait with that error, permanent, and not
// as a rate limit to retry after.
type Clock struct {
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
}

// Limits is what answers said of the rate limits one account (or webhook)
// is under: which are used up, and until when, and what the others have
// left. Its zero value holds nothing and caps holds at DefaultMax. It is
// safe for concurrent use.
type Limits struct {
	// Max caps a hold: the longest window the platform documents for a
	// limit. Zero means DefaultMax.
	Max time.Duration

	mu    sync.Mutex
	until map[string]time.Time // a limit's key → when it resets
	left  map[string]left      // a limit's key → what it has left
	taken map[string]uint64    // a limit's key → what requests not yet answered reserved
	// given ends when a reservation is given back (Release, Note): a
	// Reserve held only by requests not yet answered waits for it too.
	// Nil until such a Reserve waits.
	given context.Context
	give  context.CancelFunc
}

// left is what a limit has left until it resets: the fewest requests (or
// points) an answer said since its last reset.
type left struct {
	n      uint64
	resets time.Time
}

// Remaining reads the text v of a field naming the requests a limit has
// left: usedUp when it says 0, known false when it is missing or does not
// parse (and says nothing of the limit).
func Remaining(v string) (usedUp, known bool) {
	n, known := parseRemaining(v)
	return known && n == 0, known
}

func parseRemaining(v string) (uint64, bool) {
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}

// Note records what an answer received at now said of the limit key:
// remaining is the text of its field of the requests (or points) left (see
// Remaining), and reset reads the wait until the limit resets. A limit
// used up is held until its reset (a reset not read holds nothing). A
// limit with some left remembers the fewest an answer said until its
// reset, which WaitFor holds a request costing more than. An answer saying
// the limit has more left than an earlier one, or than none, ends no hold
// before the reset: no request counted against a held limit is made until
// its reset, so such an answer is one to a request made together with the
// one whose answer said fewer, counted before it and arriving after.
func (l *Limits) Note(key, remaining string, now time.Time, reset func() (time.Duration, bool)) {
	n, known := parseRemaining(remaining)
	if !known {
		return
	}
	d, ok := reset()
	if !ok {
		return
	}
	if d <= 0 {
		return
	}
	if n == 0 {
		l.Hold(key, now, d)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.noteLeft(key, n, now, d)
}

// noteLeft records that an answer received at now said the limit key has
// n left, d before its reset. l.mu is held.
func (l *Limits) noteLeft(key string, n uint64, now time.Time, d time.Duration) {
	resets := now.Add(min(d, l.max()))
	if l.left == nil {
		l.left = map[string]left{}
	}
	was := l.left[key]
	if now.Before(was.resets) {
		// Not reset since: the fewest said stands.
		n, resets = min(n, was.n), later(resets, was.resets)
	}
	l.left[key] = left{n: n, resets: resets}
}

// Hold holds the requests to the limit key for d from now, capped at Max.
// A hold that ends earlier than one in force already is ignored.
func (l *Limits) Hold(key string, now time.Time, d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hold(key, now, d)
}

// hold is Hold, for d above zero. l.mu is held.
func (l *Limits) hold(key string, now time.Time, d time.Duration) {
	until := now.Add(min(d, l.max()))
	if l.until == nil {
		l.until = map[string]time.Time{}
	}
	if until.After(l.until[key]) {
		l.until[key] = until
	}
}

func (l *Limits) max() time.Duration {
	if l.Max > 0 {
		return l.Max
	}
	return DefaultMax
}

// Until is when the requests counted against keys may be made: the latest
// hold of keys and of Every (the zero time when none is held).
func (l *Limits) Until(keys ...string) time.Time {
	return l.UntilFor(1, keys...)
}

// UntilFor is when a request costing cost requests (or points) of the
// limits keys name may be made: the latest hold of keys and of Every, and
// the reset of a limit of keys an answer said had fewer than cost left. A
// cost below 1 is 1. Every, a limit of requests, counts the request as 1.
func (l *Limits) UntilFor(cost int, keys ...string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.untilFor(cost, keys)
}

// untilFor is UntilFor. l.mu is held.
func (l *Limits) untilFor(cost int, keys []string) time.Time {
	return l.untilCounting(cost, keys, true)
}

// untilCounting is untilFor, counting what requests not yet answered
// reserved as used when reserved is true, and as not when it is false
// (when the request could go were they all given back). l.mu is held.
func (l *Limits) untilCounting(cost int, keys []string, reserved bool) time.Time {
	until := l.at(Every, 1, reserved)
	for _, k := range keys {
		until = later(until, l.at(k, cost, reserved))
	}
	return until
}

// at is when a request costing cost may be made by the limit key alone:
// what an answer said is left counts as used what requests not yet
// answered reserved (see Reserve), when reserved is true. Every, a limit
// of requests, counts the request as 1 whatever its cost.
func (l *Limits) at(key string, cost int, reserved bool) time.Time {
	until := l.until[key]
	if key == Every {
		cost = 1
	}
	n := uint64(max(cost, 1))
	if reserved {
		n += l.taken[key]
	}
	if lf, ok := l.left[key]; ok && n > lf.n {
		until = later(until, lf.resets)
	}
	return until
}

// A Reservation is what a request took of its limits when it was made
// (see Reserve), counted as used until the request's answer says what is
// left (Note) or no answer comes (Release).
type Reservation struct {
	l    *Limits
	cost uint64
	keys []string
	done bool // l.mu guards it
}

// Reserve waits, by c, as WaitFor does, until a request costing cost
// requests (or points) of the limits keys name may be made, counting as
// used what requests made and not yet answered reserved; then it reserves
// cost of each limit of keys (Every counts the request as 1) for the
// request, so that two requests made together with too little left for
// both do not both go, one of them into a 429. The caller must end the
// Reservation, with its Note once the answer came or its Release when
// none did: deferring Release at once ends it on every path, a panic of
// the request included (a Release after Note does nothing). A reservation
// never ended counts its cost as spent for good, and holds requests in
// every window after. Reserve keeps keys of its own: the caller may
// reuse the slice.
//
// A request held only by what requests not yet answered reserved (it
// would go were they given back) waits for the reset too, but wakes when
// one of them is given back and looks again: an answer that came without
// saying what is left, or none at all, leaves the request room before the
// reset. Such a wait is begun even when it would leave the request too
// little of the context's time (see WaitUntil), and lasts only as long as
// leaves it enough: a reservation given back by then lets the request go,
// and none fails as a wait not begun does. It is not begun when what
// holds the request besides the reservations (a limit used up) would
// itself leave it too little: no reservation given back could let it go.
func (l *Limits) Reserve(ctx context.Context, c Clock, what string, cost int, keys ...string) (*Reservation, error) {
	return l.ReserveNaming(ctx, c, func(time.Time) string { return what }, cost, keys...)
}

// ReserveNaming is Reserve, for limits whose name in an error depends on
// which of them holds the request: what names, before each wait (a wait
// may end to find a later hold come meanwhile), the limit that holds the
// request until the time it is given. It is called without l's lock held,
// and may call l's methods.
func (l *Limits) ReserveNaming(ctx context.Context, c Clock, what func(until time.Time) string, cost int, keys ...string) (*Reservation, error) {
	keys = append([]string(nil), keys...)
	var waited time.Time
	for {
		l.mu.Lock()
		until := l.untilFor(cost, keys)
		// A wait that ended leaves the request free to go unless a later
		// hold came meanwhile (a clock that did not move holds no more).
		if !until.After(c.Now()) || !until.After(waited) {
			r := l.reserve(cost, keys)
			l.mu.Unlock()
			return r, nil
		}
		var given context.Context
		free := l.untilCounting(cost, keys, false)
		if free.Before(until) {
			if l.given == nil {
				l.given, l.give = context.WithCancel(context.Background())
			}
			given = l.given
		}
		l.mu.Unlock()
		name := what(until)
		if given == nil {
			if err := WaitUntil(ctx, c, name, until); err != nil {
				return nil, err
			}
			waited = until
			continue
		}
		woken, err := waitGiven(ctx, c, name, until, free, given)
		if err != nil {
			return nil, err
		}
		if !woken {
			waited = until
		}
	}
}

// TryReserve is Reserve for a request that must not wait: it reserves
// cost of each limit of keys for the request, as Reserve does, when the
// request may be made at now (counting as used what requests made and not
// yet answered reserved), and else reserves nothing and reports false.
// The check and the reservation are one step: no request made meanwhile
// can take what the check found left. The caller ends a Reservation it
// got as Reserve's caller does. TryReserve keeps keys of its own: the
// caller may reuse the slice.
func (l *Limits) TryReserve(now time.Time, cost int, keys ...string) (*Reservation, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.untilFor(cost, keys).After(now) {
		return nil, false
	}
	return l.reserve(cost, append([]string(nil), keys...)), true
}

// reserve reserves cost of each limit of keys, which it keeps, for a
// request (see Reserve). l.mu is held.
func (l *Limits) reserve(cost int, keys []string) *Reservation {
	r := &Reservation{l: l, cost: uint64(max(cost, 1)), keys: keys}
	if l.taken == nil {
		l.taken = map[string]uint64{}
	}
	for _, k := range keys {
		l.taken[k] += r.costOf(k)
	}
	return r
}

// waitGiven waits, by c, until the time until, when the limit what
// resets, or until given ends (a reservation was given back): woken
// reports the latter. free is when the request could go were every
// reservation given back. A wait that would leave the request too little
// of ctx's time (see WaitUntil) is begun all the same, for the time that
// leaves it enough, and fails when no reservation is given back by then,
// as WaitUntil's wait not begun does; it is not begun when free itself
// leaves too little (a hold that outlasts the attempt), as no reservation
// given back could let the request go. One that ctx ends fails as
// WaitUntil's does.
func waitGiven(ctx context.Context, c Clock, what string, until, free time.Time, given context.Context) (woken bool, err error) {
	d := until.Sub(c.Now())
	if d <= 0 {
		return false, nil
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(given, cancel)
	defer stop()
	bounded := false
	if room, ok := roomFor(ctx); ok && d > room {
		if room <= 0 || free.Sub(c.Now()) > room {
			return false, tooLong(what, d)
		}
		var end context.CancelFunc
		wctx, end = context.WithTimeout(wctx, room)
		defer end()
		bounded = true
	}
	err = c.Sleep(wctx, d)
	switch {
	case err == nil:
		return false, nil
	case broadcast.IsPermanent(err):
		return false, endedForGood(what, err)
	case ctx.Err() != nil:
		return false, ended(what, c, until, err)
	case given.Err() != nil:
		return true, nil
	case bounded:
		return false, tooLong(what, until.Sub(c.Now()))
	}
	return false, ended(what, c, until, err)
}

// costOf is what r reserved of the limit key.
func (r *Reservation) costOf(key string) uint64 {
	if key == Every {
		return 1
	}
	return r.cost
}

// Release gives back what r reserved: the request got no answer to say
// what is left. Only the first of Release and Note gives it back.
func (r *Reservation) Release() {
	r.l.mu.Lock()
	defer r.l.mu.Unlock()
	r.release()
}

// release gives back what r reserved, once. l.mu is held.
func (r *Reservation) release() {
	if r.done {
		return
	}
	r.done = true
	for _, k := range r.keys {
		r.l.taken[k] -= r.costOf(k)
		if r.l.taken[k] == 0 {
			delete(r.l.taken, k)
		}
	}
	if r.l.give != nil {
		r.l.give()
		r.l.given, r.l.give = nil, nil
	}
}

// Note records, as Limits.Note does, what the answer to r's request said
// of the limit key, and gives back what r reserved, at once: what the
// answer says is left counts the request already.
func (r *Reservation) Note(key, remaining string, now time.Time, reset func() (time.Duration, bool)) {
	r.NoteEach(now, Said{Key: key, Remaining: remaining, Reset: reset})
}

// Said is what an answer said of one limit: Key names it, Remaining is the
// text of its field of the requests (or points) left, and Reset reads the
// wait until it resets (see Limits.Note).
type Said struct {
	Key, Remaining string
	Reset          func() (time.Duration, bool)
}

// NoteEach is Note for an answer that says what several limits the
// request counted against have left (X's endpoint window and its 24-hour
// limits): it records each, and gives back what r reserved, all at once,
// so that no request made meanwhile finds r's reservation of one limit
// given back before the answer's count of it is recorded, and goes on
// what an earlier answer said was left.
func (r *Reservation) NoteEach(now time.Time, said ...Said) {
	type noted struct {
		key string
		n   uint64
		d   time.Duration
	}
	notes := make([]noted, 0, len(said))
	for _, s := range said {
		n, known := parseRemaining(s.Remaining)
		if !known {
			continue
		}
		if d, ok := s.Reset(); ok && d > 0 {
			notes = append(notes, noted{s.Key, n, d})
		}
	}
	r.l.mu.Lock()
	defer r.l.mu.Unlock()
	r.release()
	for _, s := range notes {
		if s.n == 0 {
			r.l.hold(s.key, now, s.d)
		} else {
			r.l.noteLeft(s.key, s.n, now, s.d)
		}
	}
}

// UntilAll is when a request that may count against any limit may be
// made: the latest hold of all.
func (l *Limits) UntilAll() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var until time.Time
	for _, u := range l.until {
		until = later(until, u)
	}
	return until
}

// Wait waits, by c, until the limits keys count against (see Until) have
// reset; what names them in an error, as "the endpoint's limit".
func (l *Limits) Wait(ctx context.Context, c Clock, what string, keys ...string) error {
	return WaitUntil(ctx, c, what, l.Until(keys...))
}

// WaitFor waits, by c, until a request costing cost requests (or points)
// of the limits keys name may be made (see UntilFor); what names them in
// an error.
func (l *Limits) WaitFor(ctx context.Context, c Clock, what string, cost int, keys ...string) error {
	return WaitUntil(ctx, c, what, l.UntilFor(cost, keys...))
}

// WaitUntil waits, by c, until the time until, when the limit what
// resets. A wait that would leave the request less than MinRoom before
// ctx's deadline (or half the time ctx has left, when that is shorter) is
// not begun, and one that ctx ends fails: the error is a rate limit
// (broadcast.RetryAfter) naming the time left, so that the Broadcaster
// retries once the limit has reset (the latter wraps ctx's error too, as
// every error of a done context does). A Sleep that fails permanent ends
// the wait with its error (see Clock).
func WaitUntil(ctx context.Context, c Clock, what string, until time.Time) error {
	d := until.Sub(c.Now())
	if d <= 0 {
		return nil
	}
	if room, ok := roomFor(ctx); ok && d > room {
		return tooLong(what, d)
	}
	if err := c.Sleep(ctx, d); err != nil {
		if broadcast.IsPermanent(err) {
			return endedForGood(what, err)
		}
		return ended(what, c, until, err)
	}
	return nil
}

// roomFor is how long a wait may last and leave the request that follows
// it enough of ctx's time: MinRoom before its deadline, or half of what
// ctx has left when that is shorter. ok is false when ctx has no
// deadline. The deadline is by the machine's clock, a reset by a Clock's:
// the time each leaves is what compares.
func roomFor(ctx context.Context) (room time.Duration, ok bool) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	left := time.Until(deadline)
	return left - min(MinRoom, left/2), true
}

// tooLong is the error of a wait for the limit what, used up for d more,
// that would leave the request too little of the attempt's time.
func tooLong(what string, d time.Duration) error {
	return httpx.RateLimited(fmt.Errorf("rate limit: %s is used up for %v more, too long to wait and still make the request within the attempt: not requested",
		what, d.Round(time.Millisecond)), d, true)
}

// ended is the error of a wait, by c, for the limit what to reset at
// until, that err ended.
func ended(what string, c Clock, until time.Time, err error) error {
	left := max(until.Sub(c.Now()), time.Millisecond)
	return broadcast.RetryAfter(fmt.Errorf("rate limit: %s is used up for %v more, not requested: the wait for it ended: %w",
		what, left.Round(time.Millisecond), err), left)
}

// endedForGood is the error of a wait for the limit what that err, an
// error of its Sleep marked broadcast.Permanent (the channel's Close ended
// it: see httpx.Client.Sleeper), ended: permanent as err is, and no rate
// limit to retry after, as the channel makes no request again.
func endedForGood(what string, err error) error {
	return fmt.Errorf("rate limit: the wait for %s ended, not requested: %w", what, err)
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
