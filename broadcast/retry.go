package broadcast

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/outagecast/outagecast/internal/errwalk"
	"github.com/outagecast/outagecast/internal/panictext"
	"github.com/outagecast/outagecast/internal/quotecut"
	"github.com/outagecast/outagecast/internal/stack"
)

// op is what a delivery does on each attempt.
type op int

const (
	opSend    op = iota // Channel.Send
	opCorrect           // Editor.Edit of the original's post, else Channel.Send
	opRetract           // Retractor.Retract of the update's post
)

// markID is the update key under which the Store marks this kind of
// delivery done. Update IDs never contain control characters, so a
// retraction's key cannot collide with an update's.
func (o op) markID(updateID string) string {
	if o == opRetract {
		return "\x00retract\x00" + updateID
	}
	return updateID
}

// delivery is one channel's delivery of one update: it checks the Store,
// attempts, waits and retries within the RetryPolicy.
type delivery struct {
	b     *Broadcaster
	ch    Channel
	name  string
	route *Route
	u     *Update   // shared by the deliveries of one Send
	place time.Time // of the update's first Send, to order updates of equal Time (see places)
	// placeUnread: the Store's record of the update's first Send could not
	// be read, and place may not be its (see readPlace).
	placeUnread bool
	// refusedSeen: flight.refused when the delivery joined its flight.
	refusedSeen uint64
	op          op
	original    string // opCorrect: the update corrected; opRetract: the update
	markID      string
	flight      *flight
	first       *firstAttempts
	// record: a Correct's record of what the correction corrects, which
	// claimCorrection could not write, written before the delivery's
	// end is reported (see settle); nil when written, and for a Send or
	// a Retract.
	record *correctionRecord

	ledger storeLedger
	watch  watcher
	spare  *newestEntry // allocated with the delivery, for newest.watch
	th     Thread       // the incident's thread on the channel, set by prepare
	// retracting: the latest post of the thread that th leaves out only
	// because a Retract of it is under way (see live), set by prepare.
	retracting Receipt
	n          int // the attempt under way
	// rootGone: the Store's first post of the thread was retracted (see
	// liveThread), set by prepare. Next to the other flags, as stale is:
	// the delivery of every channel of a Send is allocated together, and
	// a flag between wider fields costs a word.
	rootGone bool
	// stale: a correction saying an older status than a post still up
	// in the thread (see correctsOlder), set by prepare.
	stale bool
	// followed: a delivery that tries again targets that failed for good
	// (see retryFailed) of an update whose post the thread's latest
	// follows, set by prepare (see threadBefore).
	followed bool
	called   bool // an attempt called the channel
	// yielded: the delivery gave its flight to a Retract and did not get
	// it back (see yield).
	yielded bool
	// earlier: an earlier run attempted this delivery, its outcome not
	// recorded (see noteAttempt); Message.Attempt counts its attempt.
	earlier bool
	// unknownBefore: when the attempt under way started, an earlier one's
	// outcome was unknown (see noteAttempt).
	unknownBefore bool
	// underWay: this retraction recorded in the Store that it is under
	// way (see retractingTarget).
	underWay bool
	// forbidden: an attempt of this retraction recorded in the Store that
	// the update is not to be posted on the channel (see forbid), or
	// found it retracted already: only then does the mark it set on the
	// flight of the update's deliveries stand after the attempt (see hold).
	forbidden bool
	done      bool    // delivered: settle emits EventDelivered
	failed    bool    // failed: settle emits EventFailed
	prev      Receipt // the post an edit or retraction is about
	// anew: the posts an in-place correction made anew (see keepPartial),
	// which prev, its receipt, lacks: for opRetract, the retracted
	// correction's, deleted with prev's; for opCorrect, the corrected
	// correction's, edited with prev's.
	anew *Receipt

	// anewTargets: the targets an in-place correction posted anew (see
	// postAnewSome), in any attempt; they are done, but not edited.
	anewTargets map[string]bool
	reached     int     // the targets this Send had reached when keepPartial last wrote them
	partialErr  error   // keepPartial's last failure to write
	res         *Result // the Report's Result of this channel
}

// run delivers; keep is ctx without its cancellation, for writing marks
// and receipts even when ctx ends: a delivery that happened must be
// remembered.
func (d *delivery) run(ctx, keep context.Context) {
	d.res.Channel = d.name
	start := monotonic()
	d.loop(ctx, keep, start)
	d.settle()
	d.res.Duration = monotonic() - start
}

// runner returns the function each goroutine of sh's Send runs: it runs
// the next of sh's deliveries that no goroutine has taken. The goroutines
// share this one function value, where a go statement naming each its
// delivery would allocate a closure for each; and it is a function
// literal, not a method value, whose wrapper would be one frame more for
// the runtime to walk when the stack grows.
func (sh *shared) runner() func() {
	return func() {
		defer sh.wg.Done()
		// Every delivery outgrows a new goroutine's first stack (a
		// Message passed to a channel is half a kilobyte), and then the
		// next one, in the Store's calls: make the room for both at once
		// (8 KiB), here, where the runtime has few frames to copy.
		stack.Grow(6 << 10)
		sh.ds[sh.next.Add(1)].run(sh.ctx, sh.keep)
	}
}

// loop runs the attempts and the waits between them; the Result says how
// it ended.
func (d *delivery) loop(ctx, keep context.Context, start time.Duration) {
	if d.op == opRetract {
		// The mark each attempt sets on the flight of the update's
		// deliveries (flights.retract) stays while the retraction waits
		// to retry, once an attempt kept the update from being posted
		// (see hold): an older update of the incident waits for its
		// outcome (see retractionWait), not only for its first attempt.
		key := flightKey{d.original, d.name}
		fl := d.b.flights.ref(key, nil)
		defer d.b.flights.leaveOne(key, fl)
		// Before the flight is left: an older update woken by its end
		// must not find the Store's record still saying under way.
		defer d.retractionEnded(keep)
	}
	if !d.lock(ctx) {
		return
	}
	defer d.unlock()
	var bo *backoff.ExponentialBackOff
	// spent counts the attempts that use up RetryPolicy.MaxAttempts: the
	// first, and each retry that reached no target an earlier attempt had
	// not. A channel that fans out under a platform's rate limit reaches a
	// few more targets per retry, and goes on while it does (MaxElapsed
	// still ends it); MaxAttempts 1 still means no retry. Such a retry
	// also starts the backoff afresh: the wait after it is the initial
	// interval (or the platform's Retry-After), not one doubled by every
	// productive retry before it.
	spent, reached := 0, 0
	var waits *backoff.ExponentialBackOff // between looks at a retraction under way elsewhere
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			d.fail(stopped(err, d.res.Err))
			return
		}
		done, err := d.once(ctx, keep, n)
		if done {
			return
		}
		if y := (*retractYield)(nil); errwalk.As(err, &y) {
			// No attempt was made: the same one is made once the
			// Retract that marked the flight went ahead or gave up.
			d.res.Attempts = n - 1
			if err := d.yield(ctx, y.settled); err != nil {
				d.fail(stopped(err, d.res.Err))
				return
			}
			n--
			continue
		}
		if w := (*retractionWait)(nil); errwalk.As(err, &w) {
			// No attempt was made: the same one is made once the
			// retraction ended.
			d.res.Attempts = n - 1
			if waits == nil {
				waits = d.b.newBackOff()
			}
			if !d.awaitRetraction(ctx, w, waits, start) {
				return
			}
			n--
			continue
		}
		progress := false
		if r := d.ledger.reachedCount(); n == 1 || r <= reached {
			spent++
			reached = max(reached, r)
		} else {
			reached, progress = r, true
		}
		if d.res.Attempts < n && d.res.Err != nil && ctx.Err() != nil {
			// ctx ended while this attempt waited for its turn: the last
			// attempt's error says what is left undelivered.
			err = d.res.Err
		}
		d.res.Err = err
		if bo == nil {
			bo = d.b.newBackOff()
		} else if progress {
			bo.Reset()
		}
		delay, retry := d.nextWait(ctx, bo, spent, start, err)
		if !retry {
			d.fail(d.res.Err)
			return
		}
		d.emitRetry(n, delay, err)
		if !d.wait(ctx, delay) {
			d.fail(stopped(ctx.Err(), err))
			return
		}
	}
}

// retractYield is the error of an attempt not made because a Retract of
// the update marked the delivery's flight and waits for it (see
// flights.yieldTo): the delivery lets it go ahead (see yield) and looks
// again. It never leaves the Broadcaster.
type retractYield struct{ settled <-chan struct{} }

func (e *retractYield) Error() string { return "waiting for the retraction of the update" }

// yield gives the delivery's flight to the Retract waiting for it until
// settled is closed, the Retract's wait ended (with the flight, or given
// up), and takes it again: the next prepare finds the update retracted
// (the Store's mark, or the flight's, see flights.yieldTo), or goes on.
// The error, when ctx ends first, is the wait's (see busy); the flight is
// then not held.
func (d *delivery) yield(ctx context.Context, settled <-chan struct{}) error {
	d.flight.unlock()
	var err error
	select {
	case <-settled:
		err = d.flight.lock(ctx)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		d.yielded = true
		return d.busy(ctx, err)
	}
	return nil
}

// lock makes this the one delivery of its update to its channel in this
// Broadcaster (a concurrent Send of the same update waits, then finds it
// done) and starts watching for newer updates of the incident. It reports
// false, with the Result failed, when ctx ends first.
func (d *delivery) lock(ctx context.Context) bool {
	if err := d.flight.lock(ctx); err != nil {
		d.fail(d.busy(ctx, err))
		return false
	}
	d.b.newest.watch(&d.watch, d.u.IncidentID, d.name, d.spare)
	return true
}

// retractionWait is the error of an attempt not made because a Retract
// of a newer update of the incident is deleting its post on the channel
// (see prepare): a Send waits for it (see awaitRetraction) and tries
// again; RunJob's caller retries it.
type retractionWait struct{ update string }

func (e *retractionWait) Error() string {
	return "waiting for the retraction under way of " + e.update + ", a newer update of the incident: " +
		"this one is posted if that post is deleted, and superseded if it stays"
}

// awaitRetraction waits for the end of the Retract of w.update on the
// channel: in this Broadcaster, until it ends; under way elsewhere, as
// the Store's record says (another instance's, or a queue's Job between
// its retries), for bo's next wait, then the next attempt looks again;
// the last look is at MaxElapsed, where a longer wait is cut to end.
// It returns early when this delivery's own update is retracted. The
// wait is one of the channel's retrying: it reports false, with the
// Result failed, when ctx ends first or RetryPolicy.MaxElapsed runs out.
//
//go:noinline
func (d *delivery) awaitRetraction(ctx context.Context, w *retractionWait, bo *backoff.ExponentialBackOff, start time.Duration) bool {
	left := d.b.retry.MaxElapsed - (monotonic() - start)
	if left <= 0 {
		d.fail(w.gaveUp(d.b.retry.MaxElapsed))
		return false
	}
	end := d.b.flights.retractionEnd(w.update, d.name)
	wait := left
	if end == nil {
		// A wait that would pass MaxElapsed is cut to end there, for a
		// last look at the Store's record: giving up at once would
		// give up on a retraction that ends within MaxElapsed.
		wait = min(bo.NextBackOff(), d.b.retry.MaxInterval, left)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-end: // nil, and never ready, when the Retract is elsewhere
		return true
	case <-d.b.flights.stopping(d.flight):
		return true // the next prepare stops
	case <-ctx.Done():
		d.fail(stopped(ctx.Err(), w))
		return false
	case <-t.C:
		if end == nil {
			return true
		}
		d.fail(w.gaveUp(d.b.retry.MaxElapsed))
		return false
	}
}

// gaveUp is the error of a delivery that waited for the retraction until
// RetryPolicy.MaxElapsed ran out.
func (e *retractionWait) gaveUp(maxElapsed time.Duration) error {
	return fmt.Errorf("gave up at RetryPolicy.MaxElapsed (%v), still %w", maxElapsed, e)
}

// retractingTarget is the target under which the Store keeps, in the
// marks of a Retract's delivery, whether the retraction of the update on
// the channel is under way: marked, before each attempt deletes, with a
// failure saying until when it counts (see underWay), and with
// errRetractionEnded once it ends (deleted, skipped, failed for good,
// stopped, or its Job given up: see EndJob). An older update of the
// incident waits while it is under way (see live), on every instance
// sharing the Store and between a queue's runs of the Job, when this
// Broadcaster has no delivery of it in flight to wait for: the post stays
// should the deletion fail. A record whose time has passed counts as
// ended: one that a process dying mid-Retract, or a queue's Job deleted
// between its runs, left behind holds older updates back no longer than
// the retraction could have lasted. Channels' targets hold no control
// characters, so it is no target of a channel's.
const retractingTarget = "\x00retracting"

// errRetractionEnded is the failure of the retractingTarget mark of a
// retraction that is no longer under way.
var errRetractionEnded = errors.New("retraction ended")

// underWayPrefix starts the failure of the retractingTarget mark of a
// retraction under way; the time it counts until follows, in UTC, as
// RFC 3339 with nanoseconds. The mark's failure text is the only payload
// a Store keeps with it.
const underWayPrefix = "under way until "

// underWay is the failure of the retractingTarget mark of a retraction
// under way until until.
func underWay(until time.Time) error {
	return errors.New(underWayPrefix + until.UTC().Format(time.RFC3339Nano))
}

// underWayUntil reads the failure of a retractingTarget mark: the time a
// retraction under way counts until, or false when the mark says none
// (ended, or not written by underWay).
func underWayUntil(failure string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(failure, underWayPrefix)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, rest)
	return t, err == nil
}

// retractingUntil is until when a retraction's attempt starting now
// counts as under way (see retractingTarget): RetryPolicy.MaxElapsed,
// plus one attempt's Options.AttemptTimeout, from now, which a Retract's
// retrying cannot outlast, as each attempt writes it again; for a RunJob
// given WithJobEnd, AttemptTimeout past the time its caller gives the
// Job up, when later.
func (b *Broadcaster) retractingUntil(ctx context.Context) time.Time {
	// Added one at a time: their sum can overflow a Duration (a
	// MaxElapsed of math.MaxInt64 for no limit), and wrap into the past.
	until := time.Now().Add(b.retry.MaxElapsed).Add(b.timeout)
	if end, ok := ctx.Value(jobEndKey{}).(time.Time); ok && end.Add(b.timeout).After(until) {
		until = end.Add(b.timeout)
	}
	// Past the year 9999 the time would not parse back (RFC 3339 has
	// four digits for it), and the record would count as ended.
	if until.After(lastUnderWay) {
		return lastUnderWay
	}
	return until
}

// lastUnderWay is the latest time a retraction's record counts until:
// the last that RFC 3339 writes.
var lastUnderWay = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// retractionUnderWay reports whether the Store records a retraction of
// update on channel under way, and not past its time (see
// retractingTarget).
func (b *Broadcaster) retractionUnderWay(ctx context.Context, update, channel string) (bool, error) {
	done, failure, err := b.store.Done(ctx, opRetract.markID(update), channel, retractingTarget)
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether a retraction of %s is under way: %w", update, err)
	}
	if !done {
		return false, nil
	}
	until, ok := underWayUntil(failure)
	return ok && time.Now().Before(until), nil
}

// endRetraction records that no retraction of update on channel is under
// way any more, if the Store says one is.
func (b *Broadcaster) endRetraction(ctx context.Context, update, channel string) error {
	under, err := b.retractionUnderWay(ctx, update, channel)
	if err == nil && under {
		err = b.store.Mark(ctx, opRetract.markID(update), channel, retractingTarget, errRetractionEnded)
	}
	return err
}

// retractionEnded ends, once a retraction's delivery has ended, the
// Store's record that it is under way, if it wrote one. A failure to
// write it is logged: older updates of the incident then wait for it
// until their RetryPolicy.MaxElapsed.
func (d *delivery) retractionEnded(ctx context.Context) {
	if d.underWay {
		d.b.storeTrouble(ctx, "record that the retraction of "+d.original+" on "+d.name+" ended",
			d.b.endRetraction(ctx, d.original, d.name))
	}
}

// busy is busy(ctx, err) for a delivery that has not called its channel
// yet; once it has, a wait's error is no longer ErrBusy.
func (d *delivery) busy(ctx context.Context, err error) error {
	if d.called {
		return err
	}
	return busy(ctx, err)
}

func (d *delivery) unlock() {
	if d.op != opRetract && d.ledger.failedSome() {
		// Before the flight is left: a Send waiting for it leaves these
		// targets alone (see prepare).
		d.flight.refused.Add(1)
	}
	d.b.newest.unwatch(&d.watch)
	if !d.yielded {
		d.flight.unlock()
	}
}

// once makes attempt number n: it takes Options.Lock and the incident's
// turn on the channel (newest.take), reads the Store, calls the channel and
// records a delivery. done reports that the delivery
// ended: delivered, or skipped, superseded or not selected (the Result says
// which); otherwise err is the attempt's failure.
//
// Options.Lock is held for the attempt only, not across the wait before
// the next: another instance's Retract of the update waits for an attempt
// under way (and then finds and deletes its post), not for a retry that
// may be hours away; and a lock lost while its holder waits (its
// connection broken) is taken afresh by the next attempt. A retraction
// takes the lock of the update it retracts, which is what excludes it from
// that update's attempts. It first stops this Broadcaster's deliveries of
// that update (see prepareRetract), which take their flight before the
// lock: a retry woken by the retraction then waits for the flight, not for
// a lock the retraction holds while it waits for the retry to end.
func (d *delivery) once(ctx, keep context.Context, n int) (done bool, err error) {
	if d.op != opSend || d.b.sharedLock != nil {
		release, err := d.hold(ctx)
		if err != nil {
			if cerr := ctx.Err(); cerr == nil || !errwalk.Is(err, cerr) {
				// The Store or Options.Lock failed it; a wait that ctx
				// ended is no attempt, as one for the incident's turn
				// (see loop).
				d.res.Attempts = n
			}
			return false, err
		}
		defer release()
	}
	if d.op != opRetract { // a retraction posts nothing, and has no incident
		if err := d.b.newest.take(ctx, &d.watch); err != nil {
			return false, d.busy(ctx, err) // only ctx ends the wait
		}
		defer d.b.newest.release(&d.watch)
	}
	stop, err := d.prepare(ctx)
	if stop {
		return true, nil
	}
	d.res.Attempts = n
	if err != nil {
		return false, err
	}
	if d.op != opRetract {
		if err := d.noteAttempt(ctx, n); err != nil {
			return false, err
		}
	}
	d.n = n
	d.emitKind(EventAttempt, n)
	if err := d.attempt(ctx); err != nil {
		d.answered(ctx, err)
		d.keepPartial(keep)
		return false, err
	}
	if d.ledger.supersededOnly() {
		d.supersededHere(keep)
		return true, nil
	}
	d.delivered(keep)
	return true, nil
}

// supersededHere ends a delivery whose channel left out every target it
// had not reached because a newer update of the incident reached them
// first, and reached none: nothing was posted, and the Result says
// Superseded, as when the thread's latest post is newer. Nothing marks the
// update delivered; its attempt is answered (see answered), and is the
// one its Event is about.
//
//go:noinline
func (d *delivery) supersededHere(ctx context.Context) {
	d.res.Receipt = Receipt{}
	if !d.unknownBefore {
		if err := d.b.store.Mark(ctx, d.markID, d.name, attemptedTarget, errAnswered); err != nil {
			d.b.storeTrouble(ctx, "record that "+d.u.ID+" was answered on "+d.name, err)
		}
	}
	d.res.Superseded, d.res.Err = true, nil
	d.emitKind(EventSuperseded, d.n)
}

// hold takes what an attempt holds besides its flight: for a retraction,
// this Broadcaster's deliveries of the update stopped (flights.retract);
// for a correction, the turn of the original's retractions (the flight of
// their delivery), so that a correction does not edit, or post anew, a
// post a retraction is deleting, and finds it retracted once it is (see
// retractedHere); for both, the post they edit or delete (in this
// Broadcaster, and in Options.Lock as LockKey.Post); then Options.Lock, of
// the update a retraction retracts. release gives them back. Apart from once, whose frame every delivery's
// stack holds.
//
//go:noinline
func (d *delivery) hold(ctx context.Context) (release func(), err error) {
	var stopped func()
	var retracting func(ahead bool)
	id := d.markID
	switch d.op {
	case opRetract:
		if retracting, err = d.b.flights.retract(ctx, d.original, d.name); err != nil {
			return nil, d.busy(ctx, fmt.Errorf("waiting for the delivery of %s under way: %w", d.original, err))
		}
		d.b.newest.forget(d.original, d.name)
		id = opSend.markID(d.original)
	case opCorrect:
		key := flightKey{opRetract.markID(d.original), d.name}
		fl, err := d.b.flights.hold(ctx, key)
		if err != nil {
			return nil, d.busy(ctx, fmt.Errorf("waiting for the retraction of %s under way: %w", d.original, err))
		}
		stopped = func() { d.b.flights.unhold(key, fl) }
	}
	if d.op == opSend {
		return d.lockUpdate(ctx, id, "", stopped)
	}
	// A Correct and a Retract hold the post they edit or delete too, in
	// this Broadcaster and (LockKey.Post) across instances: in-place
	// corrections share their original's post, so locks of updates do not
	// keep an edit and a deletion of it apart. The post is read before it
	// is locked, and again once it is: one saved meanwhile (the original's
	// Send under way on another instance) is locked instead.
	// A retraction's attempt that failed before the Store kept the update
	// from being posted (forbid), with ctx ended or for any other reason,
	// retracted nothing: the deliveries it stopped go on (see
	// flights.retract), and a later attempt stops them again.
	done := func(ahead bool) {
		if retracting != nil {
			retracting(ahead)
		}
		if stopped != nil {
			stopped()
		}
	}
	for tries := 0; ; tries++ {
		post, err := d.postOf(ctx)
		if err != nil {
			done(d.forbidden)
			return nil, err
		}
		var fl *flight
		key := flightKey{"\x00post\x00" + post, d.name}
		if post != "" {
			if fl, err = d.b.flights.hold(ctx, key); err != nil {
				done(d.forbidden)
				return nil, d.busy(ctx, fmt.Errorf("waiting for another edit or deletion of its post: %w", err))
			}
		}
		unpost := func() {
			if fl != nil {
				d.b.flights.unhold(key, fl)
			}
		}
		unlock, err := d.lockUpdate(ctx, id, post, unpost)
		if err != nil {
			done(d.forbidden)
			return nil, err
		}
		if now, err := d.postOf(ctx); err == nil && now != post && tries < 3 {
			unlock()
			continue
		}
		// Read once the attempt ended: it went ahead when it kept the
		// update from being posted, whatever then failed.
		return func() { unlock(); done(d.forbidden) }, nil
	}
}

// postOf returns the channel's post of the update a Correct corrects or a
// Retract retracts, as its receipt names it (what it posted to some
// targets, before it reached them all, when it has no receipt yet): ""
// when it has none.
func (d *delivery) postOf(ctx context.Context) (string, error) {
	r, ok, err := d.b.store.Receipt(ctx, d.original, d.name)
	if err == nil && !ok {
		r, _, err = d.b.store.Receipt(ctx, partialKey(d.original), d.name)
	}
	if err != nil {
		return "", fmt.Errorf("store: cannot read the post of %s, not locking blind: %w", d.original, err)
	}
	return r.ID, nil
}

// lockUpdate takes Options.Lock, when set, of update id (and post, see
// LockKey.Post) on the channel, and returns what releases it and then
// calls then, which it calls at once when the lock fails.
func (d *delivery) lockUpdate(ctx context.Context, id, post string, then func()) (release func(), err error) {
	unlock := func() {}
	if d.b.sharedLock != nil {
		key := LockKey{UpdateID: id, Channel: d.name, Post: post}
		if d.op != opRetract {
			key.IncidentID = d.u.IncidentID // see LockKey.IncidentID
		}
		if unlock, err = d.b.lockShared(ctx, key); err != nil {
			if then != nil {
				then()
			}
			return nil, d.busy(ctx, fmt.Errorf("lock: %w", err))
		}
	}
	return func() {
		d.b.unlockShared(unlock)
		if then != nil {
			then()
		}
	}, nil
}

// keepPartial records, after an attempt that failed, what the delivery
// reached all the same: the channel has no receipt of the update until
// every target has it, and without this record a Retract would not find the
// posts of the targets that do (see prepareRetract). The record is a
// receipt merging their posts (this Send's and earlier ones'), written
// when an attempt reached a target not yet in it, and again after an
// attempt whose write failed. A failure to write it is reported
// (ErrNotRecorded). An in-place correction's record names the posts it
// made anew (see postAnewSome), and those of a correction it corrected
// (anew), which its receipt, the original's, does not: delivered writes
// it too.
func (d *delivery) keepPartial(ctx context.Context) {
	if d.op == opRetract {
		return // a retraction posts nothing
	}
	n, posts := d.ledger.reached()
	if d.anew != nil {
		posts = append(posts, *d.anew)
	}
	if n == d.reached && d.partialErr == nil || !d.prev.IsZero() && len(posts) == 0 {
		return // nothing new; an edit's posts are the original's
	}
	key := partialKey(d.u.ID)
	err := d.b.store.Mark(ctx, d.u.ID, d.name, partialTarget, nil)
	var r Receipt
	if err == nil {
		r, _, err = d.b.store.Receipt(ctx, key, d.name)
	}
	if err == nil {
		for _, p := range posts {
			r.merge(p)
		}
		r.Channel, r.Time, r.UpdateID, r.UpdateTime = d.name, time.Now().UTC().Round(0), d.u.ID, d.u.Time
		err = d.b.store.SaveReceipt(ctx, postsIncident+key, key, r)
	}
	d.partialErr = nil
	if err != nil {
		d.partialErr = fmt.Errorf("store: record the targets reached before the delivery failed: %w", err)
		return
	}
	if d.op == opCorrect && d.prev.IsZero() && d.reached == 0 && !d.ledger.reachedBefore() && !d.ledger.retrying() {
		d.linkPartial(ctx)
	}
	d.reached = n
}

// linkPartial records, for a correction posted in the thread whose first
// attempt to reach targets reached some and failed, the post those
// targets got it after (itself when the thread had none): the attempt
// that completes it, in this Correct or a later one, tells from it whether
// a newer update was posted meanwhile (see partlyPosted). A failure costs
// only that, and is logged.
//
//go:noinline
func (d *delivery) linkPartial(ctx context.Context) {
	prev := d.th.Last
	if prev.IsZero() {
		prev = Receipt{UpdateID: d.u.ID}
	}
	prev.Channel = d.name
	d.b.storeTrouble(ctx, "record the post before "+d.u.ID+" on "+d.name,
		d.b.store.SaveReceipt(ctx, threadLinks, previousKey(d.u.ID), prev))
}

// partlyPosted makes d.th, for a correction posted in the thread that an
// earlier attempt posted to some targets only (see linkPartial), the
// thread those targets got it in (see placeBefore), when a newer post
// followed that one since (followed): the correction keeps its place
// before that post, as one whose refused targets are tried again does
// (see refusedPosted and delivered). A post older than the one recorded
// (the thread's latest after that one was retracted) is no newer post.
//
//go:noinline
func (d *delivery) partlyPosted(ctx context.Context) error {
	d.followed = false
	prev, ok, err := d.b.store.Receipt(ctx, previousKey(d.u.ID), d.name)
	if err != nil {
		return fmt.Errorf("store: read the post before %s: %w", d.u.ID, err)
	}
	if !ok {
		return nil
	}
	if prev.UpdateID == d.u.ID {
		prev = Receipt{}
	}
	last := d.th.Last
	if !last.IsZero() && last.UpdateID != d.u.ID && last.UpdateID != prev.UpdateID &&
		!last.UpdateTime.Before(prev.UpdateTime) {
		d.followed = true
		return d.placeBefore(ctx, prev)
	}
	return nil
}

// refusedPosted makes d.th, for a correction whose targets that refused it
// for good are tried again (see retryFailed) after a newer post followed
// it (followed, see threadBefore), the thread its first targets got it
// in (see placeBefore), as partlyPosted does for targets an earlier
// attempt did not reach: the post they followed (see linkPrevious), or
// none when it was the thread's first post there (threadBefore took it
// out of Root, and linkPrevious links no post to none). Without a link
// to the post it followed, under a first post of another update, the
// thread is left as it is.
//
//go:noinline
func (d *delivery) refusedPosted(ctx context.Context) error {
	prev, ok, err := d.b.store.Receipt(ctx, previousKey(d.u.ID), d.name)
	if err != nil {
		return fmt.Errorf("store: read the post before %s: %w", d.u.ID, err)
	}
	if !ok && !d.th.Root.IsZero() {
		return nil
	}
	if prev.UpdateID == d.u.ID {
		prev = Receipt{}
	}
	return d.placeBefore(ctx, prev)
}

// placeBefore makes d.th the thread a correction's first targets got it
// in, prev the post they followed: the thread's first post stays Root, and
// prev is Last; with no prev, the correction was the thread's first post
// there, and there was no thread (the newer post became Root since, and is
// no post it follows). A channel that chains replies (Last) and one that
// threads under Root both put it where its first targets have it. A prev
// retracted since is no post to follow: Last is then the latest post still
// up before it, or the thread's first, as liveThread makes it.
func (d *delivery) placeBefore(ctx context.Context, prev Receipt) error {
	if !prev.IsZero() {
		up, err := d.b.live(ctx, d.ch, d.name, prev, nil)
		if err == nil && up.IsZero() {
			up, err = d.b.previousLive(ctx, d.ch, d.name, prev, d.th.Root.UpdateID, nil)
			if up.IsZero() {
				up = d.th.Root
			}
		}
		if err != nil {
			return err
		}
		d.th.Last = up
		return nil
	}
	d.th.Last, d.th.Root = Receipt{}, Receipt{}
	return nil
}

// prepare reads what the attempt needs from the Store: whether the update
// is done already, the incident's thread, whether the update is superseded
// or not selected, and the post an edit or retraction is about. stop means
// there is nothing to attempt (the Result says why); an error means the
// Store could not be read, and the attempt fails transiently.
func (d *delivery) prepare(ctx context.Context) (stop bool, err error) {
	done, failure, err := d.b.store.Done(ctx, d.markID, d.name, "")
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether it was delivered, not attempting blind: %w", err)
	}
	retracted := failure != ""
	if d.op != opRetract && !retracted && !done && d.flight.retracted.Load() {
		var settled <-chan struct{}
		if retracted, settled = d.b.flights.yieldTo(d.flight); settled != nil {
			return false, &retractYield{settled}
		}
	}
	if d.op != opRetract && retracted {
		// Retracted before this channel posted it: by this Broadcaster
		// during this delivery, or by any (a channel's own mark has a
		// failure only when Retract wrote it, see forbid). One that
		// posted it is Skipped, as after the retraction.
		d.res.Err = errRetracted
		d.emit(Event{Kind: EventFailed, Attempt: d.res.Attempts, Err: d.res.Err})
		return true, nil
	}
	retry := false
	if done && d.op != opRetract {
		if retry, err = d.retryFailed(ctx); err != nil {
			return false, err
		}
	}
	if d.op != opRetract && d.flight.refused.Load() != d.refusedSeen {
		// Targets were refused by a delivery of a Send running when this
		// one started (a double click), which this one waited for,
		// whether that delivery ended delivered to the others or failed:
		// one delivery, whose refusals are not tried again, as a Job's
		// later run does not (see RunJob).
		d.ledger.resume()
	}
	if done && !retry {
		if d.op == opSend && d.correctionsID(ctx) {
			return true, nil
		}
		if d.op != opRetract {
			// The receipt of the earlier delivery, for the Report; without
			// it the Result is still right.
			d.res.Receipt, _, _ = d.b.store.Receipt(ctx, d.u.ID, d.name)
		} else {
			d.forbidden = true // by the Retract that did it
		}
		return d.stop(func(r *Result) { r.Skipped = true }, EventSkipped), nil
	}
	if d.op == opRetract {
		return d.prepareRetract(ctx)
	}
	if err := d.thread(ctx, &d.th); err != nil {
		return false, err
	}
	if retry {
		if err := d.threadBefore(ctx); err != nil {
			return false, err
		}
	}
	latest := d.th.Last.UpdateID == d.u.ID
	if latest {
		// Delivered, its mark lost (see lostMark): the targets that
		// failed for good are tried again all the same, as they are
		// after a delivery whose mark was written.
		if retry, err = d.retryFailed(ctx); err != nil {
			return false, err
		}
		if !retry {
			return d.lostMark(ctx, d.th.Last), nil
		}
		if err := d.threadBefore(ctx); err != nil {
			return false, err
		}
	}
	if selected, err := d.selected(ctx); err != nil || !selected {
		if err != nil {
			return false, err
		}
		return d.stop(func(r *Result) { r.NotSelected = true }, EventNotSelected), nil
	}
	if d.op == opCorrect {
		if stop, err := d.retractedHere(ctx); stop || err != nil {
			return stop, err
		}
		if err := d.partlyDeleted(ctx); err != nil {
			return false, err
		}
		if !done && !latest {
			// Not for the thread's latest post, whose lost mark and
			// thread were taken care of above: threadBefore again, on
			// the thread it made, would take the post before it for a
			// newer post that followed it.
			if stop, err := d.lostCorrectionMark(ctx); stop || err != nil {
				return stop, err
			}
		}
		if d.stale, err = d.correctsOlder(ctx); err != nil {
			return false, err
		}
		// After correctsOlder, which tells from the thread as it is now
		// whether the correction is current (see Message.Current).
		if !done && !d.ledger.retrying() {
			if err := d.partlyPosted(ctx); err != nil {
				return false, err
			}
		} else if d.followed && d.ledger.retrying() {
			if err := d.refusedPosted(ctx); err != nil {
				return false, err
			}
		}
	}
	if d.op == opSend {
		if err := d.readPlace(ctx); err != nil {
			return false, err
		}
		superseded, err := d.b.supersededOn(ctx, d.watch.e, d.name, &d.th.Last, d.u, d.place)
		if err != nil {
			return false, err
		}
		if superseded {
			return d.stop(func(r *Result) { r.Superseded = true }, EventSuperseded), nil
		}
	}
	if r := &d.retracting; d.op == opSend && r.UpdateID != d.u.ID && r.UpdateTime.After(d.u.Time) {
		// A newer post whose Retract is under way: posted now, this one
		// would come after it should the deletion fail. The delivery
		// waits for the Retract's end (see loop), with its locks and its
		// turn given back, since the Retract may wait for a delivery of
		// its update that waits for that turn, and then tries again.
		return false, &retractionWait{update: r.UpdateID}
	}
	if _, editor := As[Editor](d.ch); d.op == opCorrect && editor {
		d.prev, err = d.posted(ctx, d.original)
	}
	return false, err
}

// correctionsID ends, failed for good, a Send whose update's ID the
// Store records as a correction's (see claimCorrection), delivered on the
// channel: Skipped, the update would be posted nowhere, without an error.
// A record that cannot be read leaves the Send Skipped: the check only
// catches a mistake.
//
//go:noinline
func (d *delivery) correctionsID(ctx context.Context) bool {
	r, ok, err := d.b.store.Receipt(ctx, correctsKey(d.u.ID), sentChannel)
	if err != nil || !ok {
		return false
	}
	d.res.Err = Permanent(invalid("ID", "%s is the ID of a correction of update %s, delivered on this channel; "+
		"give the update an ID of its own, or leave it empty", quotecut.Quote(d.u.ID), quotecut.Quote(r.ID)))
	d.emit(Event{Kind: EventFailed, Err: d.res.Err})
	return true
}

// correctsOlder reports whether the correction says an older status than
// a post still up on the channel (see Message.Current): its chain of
// corrections starts from an update (see chainRoot) older, by Time and
// then by the order of first Sends (see newer), than the update that of
// a post still up in the thread starts from. The walk goes back from the
// thread's latest post still up by the links linkPrevious saved, past
// posts a Retract deleted; on a channel that cannot delete, only as far as
// the latest post that is no correction, as no post before it says a
// newer update's status (an older update is never posted after a newer
// one, and a correction's chain starts from an update posted before it).
// A post of the correction's own chain says its status, whatever its
// place. An update whose Time the Store does not know is no newer one.
// A walk that runs out of links (maxCurrentWalk) before the thread's first
// post, or before the latest post that is no correction where the walk
// stops there, cannot tell whether a post behind says a newer status: the
// correction is taken as older, the safe answer. A chain (the correction's, or a
// post's the walk passes) whose start the walk cannot reach, longer than
// maxCorrectionChain, leaves it unknown which update's status the chain
// says: the correction is taken as older, the safe answer (see
// Message.Current), since taken as current it would show an older status
// as the incident's. A record of what a correction corrects that cannot
// be read is an error, as every other record the walk reads: the attempt
// fails transiently, and is retried.
func (d *delivery) correctsOlder(ctx context.Context) (bool, error) {
	if d.th.Last.UpdateID == "" {
		return false, nil
	}
	budget := maxCorrectionChain
	root, ok, err := d.b.chainRootOK(ctx, d.original, &budget)
	if err != nil {
		return false, chainUnread(root, err)
	}
	if !ok {
		return true, nil
	}
	rt, rp, ok, err := d.rootOrder(ctx, root)
	if err != nil || !ok {
		return false, err
	}
	_, retractor := As[Retractor](d.ch)
	post := d.th.Last
	links := maxCurrentWalk
	for range maxCurrentWalk {
		// Each post's chain has a budget of its own: one shared with the
		// walk ran out after a score of corrections, and the newer post
		// behind them was missed.
		budget = maxCorrectionChain
		r, ok, err := d.b.chainRootOK(ctx, post.UpdateID, &budget)
		if err != nil {
			return false, chainUnread(r, err)
		}
		if !ok {
			return true, nil
		}
		if r != root {
			t, p, ok, err := d.rootOrder(ctx, r)
			if err != nil {
				return false, err
			}
			if ok && newer(t, p, rt, rp) {
				return true, nil
			}
		}
		if r == post.UpdateID && !retractor {
			return false, nil
		}
		for {
			prev, ok, err := d.b.store.Receipt(ctx, previousKey(post.UpdateID), d.name)
			if err != nil {
				return false, fmt.Errorf("store: read the post before %s: %w", post.UpdateID, err)
			}
			if !ok || prev.UpdateID == "" || prev.UpdateID == post.UpdateID {
				return false, nil
			}
			if links <= 0 {
				return true, nil // a post behind may say a newer status
			}
			links--
			if now, ok, err := d.b.store.Receipt(ctx, prev.UpdateID, d.name); err != nil {
				return false, fmt.Errorf("store: read the post of %s: %w", prev.UpdateID, err)
			} else if ok && !now.IsZero() {
				prev = now // as placeAfter takes it
			}
			gone, err := d.b.retracted(ctx, d.ch, d.name, &prev)
			if err != nil {
				return false, err
			}
			post = prev
			if !gone {
				break
			}
		}
	}
	return true, nil // the walk ran out, as above
}

// chainUnread is correctsOlder's error when the Store could not read
// what update corrects: the attempt fails, transiently, as it does on
// every other record the Store cannot read (see Message.Current).
func chainUnread(update string, err error) error {
	return fmt.Errorf("store: read what %s corrects, to tell whether the correction is current: %w", update, err)
}

// rootOrder returns the Time of update, the start of a chain of
// corrections, and the place of its first Send (see sentFirst), zero when
// not known; else its post's UpdateTime on the channel. ok is false when
// neither is known.
func (d *delivery) rootOrder(ctx context.Context, update string) (t, place time.Time, ok bool, err error) {
	if t, place, ok, _ = d.b.sentFirst(ctx, update, sentKey(update)); ok {
		return t, place, true, nil
	}
	r, ok, err := d.b.store.Receipt(ctx, update, d.name)
	if err != nil {
		return time.Time{}, time.Time{}, false, fmt.Errorf("store: read receipt of %s: %w", update, err)
	}
	return r.UpdateTime, time.Time{}, ok && !r.UpdateTime.IsZero(), nil
}

// postTime returns the place of update among the incident's posts on
// channel name, as correctionTime takes it: its receipt's UpdateTime,
// else the Time it was first sent with; ok is false when neither is known.
func (b *Broadcaster) postTime(ctx context.Context, name, update string) (t time.Time, ok bool, err error) {
	r, ok, err := b.store.Receipt(ctx, update, name)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: read receipt of %s: %w", update, err)
	}
	if t = r.UpdateTime; !ok || t.IsZero() {
		if t, ok, err = b.sentTime(ctx, update, sentKey(update)); err != nil {
			return time.Time{}, false, fmt.Errorf("store: cannot tell when %s was sent: %w", update, err)
		}
	}
	return t, ok && !t.IsZero(), nil
}

// updatePlace is postTime of update on channel ch, named name, with the
// place its post has now (see placeNow) when the channel has its receipt.
func (b *Broadcaster) updatePlace(ctx context.Context, ch Channel, name, update string, budget *int) (time.Time, bool, error) {
	r, ok, err := b.store.Receipt(ctx, update, name)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: read receipt of %s: %w", update, err)
	}
	if ok && !r.UpdateTime.IsZero() {
		t, err := b.placeNow(ctx, ch, name, r, budget)
		return t, err == nil, err
	}
	return b.postTime(ctx, name, update)
}

// placeNow returns the place of post r among the incident's posts on
// channel ch, named name, as it is now: its receipt's UpdateTime, but
// for a correction posted in the thread after a post newer than its
// original, whose UpdateTime is that post's (see correctionTime): it
// comes right after its original, at the place that one has now, or at
// that of the latest post still up it followed (the links linkPrevious
// saved), when later. Posts a Retract deleted since are passed over (the
// Store's retracted marks tell, as in lastPlace's walk; only a
// Retractor's posts are deleted), and so are those of its own chain of
// corrections (of the update that chain starts from, or of one of its
// corrections), which say that update's status. A correction not so
// moved keeps its distance from its original. When the Store has no
// record or link to follow, or budget (the Store's records read) runs
// out, the UpdateTime stands. A record of what a correction corrects
// that cannot be read is logged, as chainRoot's.
func (b *Broadcaster) placeNow(ctx context.Context, ch Channel, name string, r Receipt, budget *int) (time.Time, error) {
	t, _, err := b.placeAfter(ctx, ch, name, r, budget)
	return t, err
}

// placeAfter is placeNow, and returns too the post that r, moved past a
// newer post, now comes right after at that post's very place: the latest
// post still up it followed that is not of its own chain, with its
// UpdateTime set to its place now (see lastPlace, which takes its place
// among the Sends from it); a zero Receipt when r's place now is no
// such post's.
func (b *Broadcaster) placeAfter(ctx context.Context, ch Channel, name string, r Receipt, budget *int) (time.Time, Receipt, error) {
	t := r.UpdateTime
	if r.UpdateID == "" || t.IsZero() || *budget <= 0 {
		return t, Receipt{}, nil
	}
	*budget--
	c, ok, err := b.store.Receipt(ctx, correctsKey(r.UpdateID), sentChannel)
	if err != nil {
		b.storeTrouble(ctx, "read what "+r.UpdateID+" corrects", err)
		return t, Receipt{}, nil
	}
	if !ok || c.ID == "" || c.ID == r.UpdateID {
		return t, Receipt{}, nil // no correction
	}
	o, ok, err := b.postTime(ctx, name, c.ID)
	if err != nil || !ok {
		return t, Receipt{}, err
	}
	oNow, ok, err := b.updatePlace(ctx, ch, name, c.ID, budget)
	if err != nil || !ok {
		return t, Receipt{}, err
	}
	after := oNow.Add(time.Nanosecond)
	if !t.After(o.Add(time.Nanosecond)) {
		// Not moved past a newer post: right after its original, or
		// its very place for an edit in place.
		return minTime(t, oNow.Add(max(t.Sub(o), 0))), Receipt{}, nil
	}
	family := b.chainRoot(ctx, c.ID, budget)
	post := r
	for *budget > 0 {
		*budget--
		prev, ok, err := b.store.Receipt(ctx, previousKey(post.UpdateID), name)
		if err != nil {
			return t, Receipt{}, fmt.Errorf("store: read the post before %s: %w", post.UpdateID, err)
		}
		if !ok || prev.UpdateID == "" || prev.UpdateID == post.UpdateID || prev.UpdateID == r.UpdateID {
			return t, Receipt{}, nil
		}
		if now, ok, err := b.store.Receipt(ctx, prev.UpdateID, name); err != nil {
			return t, Receipt{}, fmt.Errorf("store: read the post of %s: %w", prev.UpdateID, err)
		} else if ok && !now.IsZero() {
			prev = now
		}
		if prev.UpdateID == family {
			return minTime(t, after), Receipt{}, nil // nothing newer came between
		}
		gone, err := b.retracted(ctx, ch, name, &prev)
		if err != nil {
			return t, Receipt{}, err
		}
		if !gone && b.chainRoot(ctx, prev.UpdateID, budget) != family {
			p, err := b.placeNow(ctx, ch, name, prev, budget)
			if err != nil {
				return t, Receipt{}, err
			}
			now := minTime(t, maxTime(after, p))
			if !now.Equal(p) {
				return now, Receipt{}, nil
			}
			prev.UpdateTime = p
			return now, prev, nil
		}
		post = prev
	}
	return t, Receipt{}, nil
}

// chainRoot returns the update that update's chain of corrections starts
// from, as the Store's records of what each corrects tell: update itself
// when it corrects none. A record that cannot be read, or budget run out,
// ends the walk there.
func (b *Broadcaster) chainRoot(ctx context.Context, update string, budget *int) string {
	root, _, err := b.chainRootOK(ctx, update, budget)
	if err != nil {
		b.storeTrouble(ctx, "read what "+root+" corrects", err)
	}
	return root
}

// chainRootOK is chainRoot, and reports whether the walk reached the
// chain's start: false when budget ran out, or when a record could not be
// read, whose update root then is, and err the Store's error, unlogged.
func (b *Broadcaster) chainRootOK(ctx context.Context, update string, budget *int) (root string, ok bool, err error) {
	for *budget > 0 {
		*budget--
		r, ok, err := b.store.Receipt(ctx, correctsKey(update), sentChannel)
		if err != nil {
			return update, false, err
		}
		if !ok || r.ID == "" || r.ID == update {
			return update, true, nil
		}
		update = r.ID
	}
	return update, false, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// maxCorrectionChain bounds the Store's records read by a walk up a
// chain of corrections of corrections (see chainRoot, placeNow).
const maxCorrectionChain = 64

// failedTargetsTarget is the mark, of an update on a channel, that says
// whether targets failed permanently in the Send that delivered it (see
// retryFailed): failed with errTargetsFailed when some did, delivered
// once a later Send reached them. Like attemptedTarget, no channel's
// target (targets take no control characters).
const failedTargetsTarget = "\x00targets failed"

var errTargetsFailed = errors.New("targets failed permanently")

// retryFailed reports whether an update the channel delivered is to be
// attempted again all the same: some of its targets failed permanently
// (a webhook receiver's 401 for a wrong secret), and a later Send tries
// them again, once, as it does a channel that failed permanently as a
// whole, since what failed may have been put right since; the targets
// delivered are marked, and not sent to again. So does a later Correct
// of a correction, whether it edits or posts anew. (A Retract is not
// marked done while a deletion is refused: a later one tries it again.)
// A mark that cannot be read fails the attempt transiently, as the
// channel's own mark does.
func (d *delivery) retryFailed(ctx context.Context) (bool, error) {
	done, failure, err := d.b.store.Done(ctx, d.markID, d.name, failedTargetsTarget)
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether targets failed, not attempting blind: %w", err)
	}
	if !done || failure == "" {
		return false, nil
	}
	d.ledger.retry()
	return true, nil
}

// threadBefore makes d.th, for a Send (or a Correct) that tries again
// targets that failed permanently (see retryFailed), the thread as it was before the
// update was delivered, in which the targets that have it got it: the
// post it followed (see linkPrevious), and no first post when it was
// the first.
func (d *delivery) threadBefore(ctx context.Context) error {
	if d.th.Root.UpdateID == d.u.ID {
		d.th.Root = Receipt{}
	}
	d.followed = d.th.Last.UpdateID != d.u.ID && !d.th.Last.IsZero()
	if d.th.Last.UpdateID != d.u.ID {
		// A newer post followed it: superseded, or, for a correction,
		// which is never superseded, posted before that post (see
		// delivered), in the thread its first targets got it in (see
		// refusedPosted, once the newer post told whether it is current).
		return nil
	}
	prev, _, err := d.b.store.Receipt(ctx, previousKey(d.u.ID), d.name)
	if err != nil {
		return fmt.Errorf("store: read the post before %s: %w", d.u.ID, err)
	}
	if prev.UpdateID == d.u.ID {
		prev = Receipt{}
	}
	d.th.Last = prev
	return nil
}

// lostMark ends a delivery whose update is the incident's latest post on
// the channel, though not marked delivered: an earlier delivery's mark
// could not be written (ErrNotRecorded), its receipt could. The update is
// not posted twice: the Result says Skipped, with that receipt, and the
// mark is written now; a failure to write it is logged, and the next Send
// finds the receipt again.
//
//go:noinline
func (d *delivery) lostMark(ctx context.Context, r Receipt) bool {
	d.res.Receipt = r
	keep := context.WithoutCancel(ctx)
	err := d.b.store.Mark(keep, d.markID, d.name, "", nil)
	d.b.storeTrouble(keep, "record that "+d.u.ID+" was delivered on "+d.name, err)
	return d.stop(func(r *Result) { r.Skipped = true }, EventSkipped)
}

// lostCorrectionMark ends, as lostMark does, a correction's delivery that
// the Store has a receipt of, though no mark: an earlier delivery's mark
// could not be written (ErrNotRecorded). lostMark finds only a post that is
// the incident's latest; a correction edited in place keeps its original's
// place in the thread, and one posted in it may have been followed by a
// newer update, and neither is ever superseded: without this, a Correct
// again edited the post again, or posted the correction twice. The
// targets that failed for good are tried again all the same, in the
// thread as it was before the correction was delivered, as after a
// delivery whose mark was written (see retryFailed, threadBefore).
//
//go:noinline
func (d *delivery) lostCorrectionMark(ctx context.Context) (stop bool, err error) {
	r, ok, err := d.b.store.Receipt(ctx, d.u.ID, d.name)
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether it was delivered, not attempting blind: %w", err)
	}
	if !ok {
		return false, nil
	}
	if retry, err := d.retryFailed(ctx); retry || err != nil {
		if err != nil {
			return false, err
		}
		// In the thread the targets that have it got it in, as after a
		// delivery whose mark was written.
		return false, d.threadBefore(ctx)
	}
	return d.lostMark(ctx, r), nil
}

// notSelectedTarget is the mark, of an update on a channel, that says
// the channel's Route left the update out (see selected): delivered when
// the channel had posted the incident then, failed with errLeftOutFirst
// when the update was to be its first post of it. Like attemptedTarget,
// no channel's target (targets take no control characters).
const notSelectedTarget = "\x00not selected"

var errLeftOutFirst = errors.New("left out as the incident's first post on the channel")

// selected is the decision of the channel's Route on the update, a
// correction's as correctionThread says. An update the Route leaves out is
// recorded so, for its corrections, once: as the incident's first post on
// the channel when it was that at any Send of it. A failure to read or
// write that is logged: a correction of the update then has the Route
// decide as for any update.
func (d *delivery) selected(ctx context.Context) (bool, error) {
	if d.route == nil {
		return true, nil
	}
	th := &d.th
	if d.op == opCorrect {
		went, t, err := d.b.correctionThread(ctx, d.original, d.name, th)
		if err != nil || went {
			return went, err
		}
		th = t
	}
	if d.route.selects(d.u, th) {
		return true, nil
	}
	var leftOut error
	if th.IsZero() {
		leftOut = errLeftOutFirst
	}
	// A record that it was left out as the incident's first post stays:
	// a later Send of the update, once the channel posted the incident,
	// is no longer that, and its correction is still routed as the
	// update was. The record is written again on every Send that leaves
	// the update out: a Store's Prune keeps it while it keeps any record
	// of the update, and that of an earlier version, which removed it by
	// when it was written, while it kept that Send's records.
	away, failure, err := d.b.store.Done(ctx, d.markID, d.name, notSelectedTarget)
	if err == nil {
		if away && failure != "" {
			leftOut = errors.New(failure) // kept byte for byte
		}
		err = d.b.store.Mark(ctx, d.markID, d.name, notSelectedTarget, leftOut)
	}
	if err != nil {
		d.b.storeTrouble(ctx, "record that the route of "+d.name+" left "+d.u.ID+" out", err)
	}
	return false, nil
}

// correctionThread says how the Route of channel decides on a correction
// of original there, th the incident's thread on the channel (see Route):
// went, when the original went there, whatever the Route says of the
// correction: it reached the channel, wholly or some of its targets (its
// receipt there says so too, when its marks could not be written), or
// was attempted there (its delivery pending, retrying, or failed), since
// the Route selected it there, and the correction takes its place (its
// status may be the very thing corrected, and it is no longer the
// incident's first post on the channel). Else t is the thread the Route
// decides with: a zero one when the Route left the original out as the
// incident's first post on the channel (see selected), so that the
// correction is routed as the original was, else th.
func (b *Broadcaster) correctionThread(ctx context.Context, original, channel string, th *Thread) (went bool, t *Thread, err error) {
	if went, err = b.reached(ctx, original, channel); err != nil || went {
		return went, th, err
	}
	key := opSend.markID(original)
	attempted, _, err := b.store.Done(ctx, key, channel, attemptedTarget)
	if err == nil && attempted {
		return true, th, nil
	}
	var away bool
	var failure string
	if err == nil {
		// Its receipt without its marks: posted, its marks not written
		// (ErrNotRecorded, with a Store in trouble).
		_, away, err = b.store.Receipt(ctx, original, channel)
		if err == nil && away {
			return true, th, nil
		}
	}
	if err == nil {
		away, failure, err = b.store.Done(ctx, key, channel, notSelectedTarget)
	}
	if err != nil {
		return false, th, fmt.Errorf("store: cannot tell whether %s went to the channel: %w", original, err)
	}
	if away && failure != "" {
		return false, &Thread{}, nil
	}
	return false, th, nil
}

// retractedHere ends, with an error wrapping ErrRetracted, a correction
// whose original was retracted on the channel: its post deleted (by a
// Retract of it, or of another update sharing the post: an in-place
// correction and its original), or kept from being posted (see forbid).
// There is nothing to correct there; "Correction: …" of a post no reader
// can see would only confuse them. A channel that could not delete the
// post (ErrNotSupported) still has it, and gets the correction.
//
//go:noinline
func (d *delivery) retractedHere(ctx context.Context) (stop bool, err error) {
	_, failure, err := d.b.store.Done(ctx, opSend.markID(d.original), d.name, "")
	gone := failure != "" // only forbid writes a failure in a channel's own mark
	if err == nil && !gone {
		var r Receipt
		var posted bool
		if r, posted, err = d.b.store.Receipt(ctx, d.original, d.name); err == nil && posted {
			gone, err = d.b.retracted(ctx, d.ch, d.name, &r)
		}
	}
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether %s was retracted: %w", d.original, err)
	}
	if !gone {
		return false, nil
	}
	what := "update " + d.original + ", which this corrects, was retracted on this channel"
	if byOther, err := d.deletedByOther(ctx, failure); err != nil {
		return false, err
	} else if byOther {
		what = "the post of update " + d.original + ", which this corrects, was deleted on this channel by a Retract of an update sharing it (an in-place correction and its original share one)"
	}
	d.res.Err = Permanent(fmt.Errorf("%w: %s: there is no post to correct; send a new update instead",
		ErrRetracted, what))
	d.emit(Event{Kind: EventFailed, Err: d.res.Err})
	return true, nil
}

// deletedByOther reports, for retractedHere, whether the post of the
// original was deleted by a Retract of another update sharing it, not of
// the original itself: failure is the original's channel mark's (a
// Retract that kept it from being posted writes one), and the original's
// own retraction mark is unset. Read on the refusal alone, so that its
// error names the update whose Retract it was.
func (d *delivery) deletedByOther(ctx context.Context, failure string) (bool, error) {
	if failure != "" {
		return false, nil
	}
	own, _, err := d.b.store.Done(ctx, opRetract.markID(d.original), d.name, "")
	if err != nil {
		return false, fmt.Errorf("store: read retraction of %s: %w", d.original, err)
	}
	return !own, nil
}

// partlyDeleted finds the updates, of the one the correction corrects
// and those up its chain (see chainRoot), whose post a Retract deleted
// on some targets of the channel and not on others (see
// notePartlyDeleted), and the post of the one it corrects where a
// Retract of another update sharing it (an in-place correction of it)
// did, and has the Ledger refuse the correction on the targets where it
// did (see storeLedger.deletedThere): retractedHere refuses the channel
// only where the post is gone from every target. A mark or receipt that
// cannot be read fails the attempt, which would otherwise post blind; a
// record of what a correction corrects that cannot be read ends the walk
// there, and is logged, as chainRoot does.
//
//go:noinline
func (d *delivery) partlyDeleted(ctx context.Context) error {
	var deleted []deletedPost
	r, ok, err := d.b.store.Receipt(ctx, d.original, d.name)
	if err != nil {
		return fmt.Errorf("store: read receipt of %s: %w", d.original, err)
	}
	if ok && r.ID != "" {
		key := retractedPost(&r)
		partly, err := d.b.partlyDeletedUnder(ctx, key, d.original, d.name)
		if err != nil {
			return err
		}
		if partly {
			deleted = append(deleted, deletedPost{key: key, update: d.original})
		}
	}
	id := d.original
	// walked: the corrections whose record of what they correct led up
	// the chain; links: those that led to the last update found deleted.
	var walked, links []string
	for range maxCorrectionChain {
		partly, err := d.b.partlyRetracted(ctx, id, d.name)
		if err != nil {
			return err
		}
		if partly {
			deleted = append(deleted, deletedPost{key: opRetract.markID(id), update: id})
			links = walked
		}
		r, ok, err := d.b.store.Receipt(ctx, correctsKey(id), sentChannel)
		if err != nil {
			d.b.storeTrouble(ctx, "read what "+id+" corrects", err)
			break
		}
		if !ok || r.ID == "" || r.ID == id || r.ID == d.original {
			break
		}
		walked = append(walked, id)
		id = r.ID
	}
	if len(deleted) > 0 {
		links = append([]string{d.u.ID}, links...)
	}
	d.ledger.refuseDeleted(deleted, links)
	return nil
}

// thread reads the incident's thread on the channel, leaving out posts
// that were retracted: a reply then goes to the first post still there, or
// starts a new thread.
func (d *delivery) thread(ctx context.Context, t *Thread) (err error) {
	d.retracting = Receipt{}
	d.rootGone, err = d.b.liveThread(ctx, d.ch, d.name, d.u.IncidentID, t, &d.retracting)
	return err
}

// liveThread reads into t the thread of incident on channel ch, named
// name, without the posts that were retracted. When the thread's latest
// post was, Last is the latest still up before it (see previousLive). The
// Store keeps an incident's first post as its Root for good: when that post was
// retracted (rootGone), the thread's first post is the one posted after
// that retraction (see restartedThread), if it is still there. A post
// left out because a Retract of it is under way is kept in busy, when not
// nil, if it is the latest such post (see live).
func (b *Broadcaster) liveThread(ctx context.Context, ch Channel, name, incident string, t *Thread, busy *Receipt) (rootGone bool, err error) {
	if *t, err = b.store.Thread(ctx, incident, name); err != nil {
		return false, fmt.Errorf("store: read thread: %w", err)
	}
	if _, ok := As[Retractor](ch); !ok {
		return false, nil // only a Retractor's posts can be retracted
	}
	last := t.Last
	if t.Last, err = b.live(ctx, ch, name, t.Last, busy); err != nil {
		return false, err
	}
	root := t.Root
	if t.Last.IsZero() && !last.IsZero() {
		if t.Last, err = b.previousLive(ctx, ch, name, last, root.UpdateID, busy); err != nil {
			return false, err
		}
	}
	if t.Root, err = b.live(ctx, ch, name, t.Root, busy); err != nil {
		return false, err
	}
	if rootGone = !root.IsZero() && t.Root.IsZero(); rootGone {
		restarted, err := b.store.Thread(ctx, restartedThread(incident), name)
		if err != nil {
			return false, fmt.Errorf("store: read thread: %w", err)
		}
		if t.Root, err = b.live(ctx, ch, name, restarted.Last, busy); err != nil {
			return false, err
		}
	}
	if t.Last.IsZero() {
		t.Last = t.Root
	}
	return rootGone, nil
}

// live returns r, the post of channel ch, named name, or zero when it was
// retracted, or a Retract of it is under way in this Broadcaster: it is
// as good as gone, and no update is threaded under it. Such a post, if it
// is the latest so far, goes into busy, when not nil: an older update is
// not posted until the Retract's outcome is known (see prepare), since the
// post stays if the deletion fails.
func (b *Broadcaster) live(ctx context.Context, ch Channel, name string, r Receipt, busy *Receipt) (Receipt, error) {
	gone, err := b.retracted(ctx, ch, name, &r)
	if err != nil || gone {
		return Receipt{}, err
	}
	if r.UpdateID == "" {
		return r, nil
	}
	under := b.flights.retracting(r.UpdateID, name)
	if !under {
		// Under way elsewhere, or between the runs of a queue's Job.
		if under, err = b.retractionUnderWay(ctx, r.UpdateID, name); err != nil {
			return Receipt{}, err
		}
	}
	if under {
		if busy != nil && (busy.IsZero() || r.UpdateTime.After(busy.UpdateTime)) {
			*busy = r
		}
		return Receipt{}, nil
	}
	return r, nil
}

// linkPrevious records, for a Retractor, the post the one just delivered
// followed in the incident's thread (its latest post still up when the
// attempt began): should this one be retracted, the next update replies
// to that post (see previousLive). It records it for a correction on
// every channel: of two updates of one Time, the one that post is of
// tells which the correction comes after (see lastPlace). A failure
// costs only that, and is logged.
func (d *delivery) linkPrevious(ctx context.Context) {
	if d.th.Last.IsZero() || d.th.Last.UpdateID == "" {
		return
	}
	if _, ok := As[Retractor](d.ch); !ok && !d.ledger.failedSome() && d.op != opCorrect {
		// Only a Retractor's posts can be retracted; a later Send that
		// tries again the targets that failed needs the link too (see
		// threadBefore), and so does an update of the Time of a
		// correction's post, which may be that of the post it followed
		// (see lastPlace).
		return
	}
	prev := d.th.Last
	prev.Channel = d.name
	d.b.storeTrouble(ctx, "record the post before "+d.u.ID+" on "+d.name,
		d.b.store.SaveReceipt(ctx, threadLinks, previousKey(d.u.ID), prev))
}

// threadLinks is the incident under which linkPrevious saves its links:
// not a real incident's (IDs take no control characters), so that saving
// one never changes a thread.
const threadLinks = "\x00thread links"

// previousKey is the Store's update key of the link to the post update
// followed in its thread (see linkPrevious).
func previousKey(update string) string { return "\x00previous post\x00" + update }

// maxThreadWalk bounds the links previousLive follows.
const maxThreadWalk = 64

// maxCurrentWalk bounds the posts correctsOlder walks back over. On a
// channel that deletes posts the walk goes back over every post still up
// (a newer update's post partly deleted may be up behind older ones), so
// the bound is past the posts of any incident we know of: one it cuts
// short is told not current, and a status page would keep the status the
// correction puts right. Each post costs a few Store reads, in a
// correction's attempt only. A variable, so that a test can lower it.
var maxCurrentWalk = 1024

// previousLive returns the latest post still up that came before last, a
// retracted post of the thread, by the links linkPrevious saved, or zero
// when the walk reaches the thread's first post, whose update is root, or
// a post without a link (one delivered before links were kept, or whose
// link Prune removed): the thread's first post is then replied to, as
// before. A post is taken as the Store has it now (an edit may have made
// it a post of its own, see followVersion).
func (b *Broadcaster) previousLive(ctx context.Context, ch Channel, name string, last Receipt, root string, busy *Receipt) (Receipt, error) {
	for range maxThreadWalk {
		prev, ok, err := b.store.Receipt(ctx, previousKey(last.UpdateID), name)
		if err != nil {
			return Receipt{}, fmt.Errorf("store: read the post before %s: %w", last.UpdateID, err)
		}
		if !ok || prev.UpdateID == "" || prev.UpdateID == root {
			return Receipt{}, nil
		}
		if now, ok, err := b.store.Receipt(ctx, prev.UpdateID, name); err != nil {
			return Receipt{}, fmt.Errorf("store: read the post of %s: %w", prev.UpdateID, err)
		} else if ok && !now.IsZero() {
			prev = now
		}
		up, err := b.live(ctx, ch, name, prev, busy)
		if err != nil || !up.IsZero() {
			return up, err
		}
		last = prev
	}
	return Receipt{}, nil
}

// restartedThread is the Store's incident key under which a post is saved
// that started incident's thread anew after the retraction of its first
// post: the latest such post is the thread's first (see liveThread).
// Incident IDs take no control characters, so it cannot collide with one.
func restartedThread(incident string) string { return "\x00restarted thread\x00" + incident }

// retracted reports whether the post r of channel ch, named name, was
// deleted by Retract: the retraction of its update, or of another update
// whose receipt names the same post (an in-place correction and its
// original share one).
func (b *Broadcaster) retracted(ctx context.Context, ch Channel, name string, r *Receipt) (bool, error) {
	if _, ok := As[Retractor](ch); !ok || r.UpdateID == "" {
		return false, nil // only a Retractor's posts can be retracted
	}
	for _, key := range retractionKeys(r) {
		if key == "" {
			continue
		}
		gone, _, err := b.store.Done(ctx, key, name, "")
		if err != nil {
			return false, fmt.Errorf("store: read retraction of %s: %w", r.UpdateID, err)
		}
		if gone {
			return true, nil
		}
	}
	return false, nil
}

// inPlaceEdits is the incident under which an in-place correction's
// receipt is saved: not a real incident's (IDs take no control
// characters), so that saving it never makes it a thread's latest post.
const inPlaceEdits = "\x00in-place edits"

// retractionKeys are the Store's update keys of the marks that say the
// post r names was deleted: a Retract of its update, or of the post ("" for
// a key r has none of), under the key written now and those earlier
// versions wrote.
func retractionKeys(r *Receipt) [4]string {
	keys := [4]string{opRetract.markID(r.UpdateID)}
	if r.ID != "" {
		keys[1] = retractedPost(r)
		if len(r.Meta) > 0 {
			// The keys earlier versions wrote, which a durable Store may
			// hold: the post's id alone, and the id with the whole Meta.
			keys[2], keys[3] = retractedPostID(r.ID), retractedPostMeta(r)
			if len(keys[2]) > maxLegacyKey {
				keys[2] = "" // no key a bolt Store took (see maxLegacyKey)
			}
		}
	}
	return keys
}

// retractedPost is the Store's update key of the mark that the post r
// names was deleted (the Store keys it by channel too). It takes the
// platform id and the Meta: a platform may number posts per chat
// (Telegram), and the Meta says which chat, so two posts sharing an id
// do not share the mark, while an in-place correction's receipt, which
// the Store keeps with its original's id and Meta (see delivered), does.
// The Meta is taken as its digest: a channel that fans out to many chats
// or rooms records each one's message there, more than a Store's key
// may hold (a bolt Store's, 32 KiB). Update IDs never contain control
// characters, so it cannot collide with an update's. A receipt without
// Meta keeps the key of earlier versions, which had the id only
// (retractedPostID), so that a Store's marks written by them still count;
// retracted reads the keys earlier versions wrote for a receipt with Meta
// too (see retractionKeys). An id too long for that key (see
// maxLegacyKey) is taken as its digest too: a Store would refuse the key,
// to write the mark and to read it, and every later update of the
// incident, which reads it, would fail on the channel.
func retractedPost(r *Receipt) string {
	key := retractedPostID(r.ID)
	if len(key) > maxLegacyKey {
		sum := sha256.Sum256([]byte(r.ID))
		key = "\x00retracted post sha256\x00" + hex.EncodeToString(sum[:])
	}
	if len(r.Meta) == 0 {
		return key
	}
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(r.Meta)) {
		hashField(h, k)
		hashField(h, r.Meta[k])
	}
	return key + "\x00meta sha256\x00" + hex.EncodeToString(h.Sum(nil))
}

// retractedPostMeta is retractedPost as earlier versions made it for a
// receipt with Meta, with the whole Meta in the key: read, no longer
// written; "" when longer than maxLegacyKey.
func retractedPostMeta(r *Receipt) string {
	b := []byte(retractedPostID(r.ID) + "\x00meta\x00")
	if len(b) > maxLegacyKey {
		return ""
	}
	for _, k := range slices.Sorted(maps.Keys(r.Meta)) {
		if b = appendField(appendField(b, k), r.Meta[k]); len(b) > maxLegacyKey {
			return ""
		}
	}
	return string(b)
}

// maxLegacyKey bounds the keys of earlier versions that are read: a key
// made of a whole Meta may be longer than a Store takes (a bolt Store's
// 32 KiB, with the channel's name, the target and the prefix of a
// version link), which the Store refuses to read as it refused to write.
// It leaves room for those, so that every key a bolt Store took is read;
// the few larger ones a Store on PostgreSQL took are not.
const maxLegacyKey = 32<<10 - 2*MaxNameLength

// retractedPostID is the key of the mark that the post of platform id
// postID was deleted, as earlier versions wrote it for every post.
func retractedPostID(postID string) string { return "\x00retracted post\x00" + postID }

// posted returns the channel's post of updateID, zero when there is none or
// it was retracted, and sets d.anew to the posts an in-place correction
// made anew (see keepPartial), nil when there are none: an edit of the
// correction edits them too.
//
//go:noinline
func (d *delivery) posted(ctx context.Context, updateID string) (Receipt, error) {
	d.anew = nil
	r, ok, err := d.b.store.Receipt(ctx, updateID, d.name)
	if err != nil {
		return Receipt{}, fmt.Errorf("store: read receipt of %s: %w", updateID, err)
	}
	if !ok {
		return Receipt{}, nil
	}
	if gone, err := d.b.retracted(ctx, d.ch, d.name, &r); err != nil || gone {
		return Receipt{}, err
	}
	partial, reached, err := d.b.store.Receipt(ctx, partialKey(updateID), d.name)
	if err != nil {
		return Receipt{}, fmt.Errorf("store: read the targets %s reached: %w", updateID, err)
	}
	if reached {
		d.anew = &partial
	}
	return r, nil
}

// errRetracted is the error of a delivery that a Retract of its update
// stopped before the channel posted it.
var errRetracted = Permanent(fmt.Errorf("%w before this channel posted it", ErrRetracted))

// prepareRetract runs once this Broadcaster's deliveries of the update to
// the channel are stopped, and new ones kept from starting until the
// attempt ends (see once): it looks for the post and keeps later Sends
// from posting (forbid), so that none posts it after the retraction
// looked: an attempt under way ended first, and what it posted is deleted.
//
//go:noinline
func (d *delivery) prepareRetract(ctx context.Context) (stop bool, err error) {
	prev, posted, err := d.b.store.Receipt(ctx, d.original, d.name)
	if err != nil {
		return false, fmt.Errorf("store: read receipt of %s: %w", d.original, err)
	}
	// No Send may post it here afterwards: not delivered here, delivered
	// to some targets only, or delivered without its mark recorded.
	if err := d.forbid(ctx); err != nil {
		return false, err
	}
	// What reached some targets is deleted; so are the posts an in-place
	// correction made anew, which its receipt (the original's) lacks.
	partial, reached, err := d.b.store.Receipt(ctx, partialKey(d.original), d.name)
	if err != nil {
		return false, fmt.Errorf("store: read the targets %s reached: %w", d.original, err)
	}
	d.anew = nil
	switch {
	case !posted:
		prev, posted = partial, reached
	case reached:
		d.anew = &partial
	}
	d.prev = prev
	if !posted {
		return d.unposted(ctx)
	}
	if d.anew == nil {
		// A post shared with an in-place correction is deleted once: a
		// Retract of the correction may have deleted it already.
		gone, err := d.b.retracted(ctx, d.ch, d.name, &prev)
		if err != nil {
			return false, err
		}
		if gone {
			return d.stop(func(r *Result) { r.Skipped = true }, EventSkipped), nil
		}
	}
	if _, ok := As[Retractor](d.ch); !ok {
		d.res.Err = Permanent(fmt.Errorf("%w: the platform's posts cannot be deleted", ErrNotSupported))
		d.emit(Event{Kind: EventFailed, Err: d.res.Err})
		return true, nil
	}
	// Before each deletion, for older updates of the incident to wait
	// for on every instance, between the retries too: each attempt puts
	// off the time the record stops counting.
	if err := d.b.store.Mark(ctx, d.markID, d.name, retractingTarget, underWay(d.b.retractingUntil(ctx))); err != nil {
		return false, fmt.Errorf("store: record that the retraction of %s is under way: %w", d.original, err)
	}
	d.underWay = true
	return false, nil
}

// unposted ends a retraction on a channel without a receipt of the
// update, nor a record of targets it reached: Skipped when no attempt of
// it may have posted; failed for good when one ended without a definite
// answer (cut off, timed out, a server error: see noteAttempt), since its
// post may be out there, and nothing says where to delete it; and so,
// wrapping ErrNotRecorded, when it was delivered, its receipt not
// recorded; and so, saying a Prune may have removed its records, when
// the Store cannot vouch that the channel never posted it (see pruned).
func (d *delivery) unposted(ctx context.Context) (stop bool, err error) {
	delivered, attempted, err := d.b.sendMarks(ctx, d.original, d.name)
	switch {
	case err != nil:
		return false, fmt.Errorf("store: cannot tell whether an attempt of %s may have posted it: %w", d.original, err)
	case delivered:
		d.res.Err = Permanent(fmt.Errorf("%s was delivered, but its receipt was not recorded: %w: %w",
			d.original, errPostNotFound, ErrNotRecorded))
		d.emit(Event{Kind: EventFailed, Err: d.res.Err})
		return true, nil
	case !attempted:
		pruned, err := d.pruned(ctx)
		if err != nil {
			return false, err
		}
		if !pruned {
			return d.stop(func(r *Result) { r.Skipped = true }, EventSkipped), nil
		}
		d.res.Err = Permanent(fmt.Errorf("the Store has no record of %s on this channel that says it was not posted "+
			"here: if it was, a Store's Prune removed its records (Prune keeps an update's records on every channel "+
			"while it keeps any of them, and a Store written by an earlier version may have lost some), and %w",
			d.original, errPostNotFound))
		d.emit(Event{Kind: EventFailed, Err: d.res.Err})
		return true, nil
	}
	d.res.Err = Permanent(fmt.Errorf("an attempt of %s ended with its outcome unknown: it may have posted, "+
		"and without a receipt its post cannot be found to delete; look for it on the platform", d.original))
	d.emit(Event{Kind: EventFailed, Err: d.res.Err})
	return true, nil
}

// pruned reports, for a retraction on a channel that has no receipt of
// the update, no delivered mark and no attempt of unknown outcome, whether
// its post may be out there, its records removed by a Prune.
//
// The update's sent mark (see markSent) says no: a Prune removes an
// update's records on every channel together, the sent mark with them,
// so that the channel's records since the update was first sent are all
// there, and none says it posted. Unless it reached some of its targets
// (partialTarget) and the record of which, kept under a key of its own,
// is gone: then yes. Without the sent mark, the records were written by
// an earlier version, whose Prune removed them channel by channel (or the
// Store failed to write the mark), and only the record of the update's
// first Send (see firstSent), which every record of the update postdates
// and which such a Prune removed first, says no; else the channel's post
// may be out there when another channel has a receipt of the update or
// marks it delivered, and its own marks, written again by later Sends,
// say nothing of the Sends whose records were removed. With no record of
// the update anywhere, a mistyped ID (a queue's Job, which Retract's
// refusal does not check) cannot be told from a pruned one, and the
// channel is Skipped, as before. An update whose record this Broadcaster
// keeps in memory, the Store having failed to write it, was not pruned.
// A record that cannot be read, the sent mark or the channel's, fails the
// attempt, to be read again; another channel's record that cannot be
// read tells nothing.
func (d *delivery) pruned(ctx context.Context) (bool, error) {
	sent, _, err := d.b.store.Done(ctx, d.original, sentChannel, sentChannel)
	if err == nil && sent {
		var reached bool
		reached, _, err = d.b.store.Done(ctx, d.original, d.name, partialTarget)
		if err == nil {
			return reached, nil
		}
	}
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether the records of %s were pruned: %w", d.original, err)
	}
	_, ok, err := d.b.store.Receipt(ctx, sentKey(d.original), sentChannel)
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether the records of %s were pruned: %w", d.original, err)
	}
	if _, kept := d.b.unrecorded.get(d.original); ok || kept {
		return false, nil
	}
	for _, name := range d.b.names {
		if name == d.name {
			continue
		}
		// Delivered marks only: the Send marks that this retraction's
		// deliveries write (see forbid) are failures.
		if _, ok, err := d.b.store.Receipt(ctx, d.original, name); err == nil && ok {
			return true, nil
		}
		if delivered, _, err := d.b.sendMarks(ctx, d.original, name); err == nil && delivered {
			return true, nil
		}
	}
	return false, nil
}

// errPostNotFound is wrapped by the error of a retraction on a channel
// that delivered the update without recording its receipt: it deleted
// nothing, and that error is no Result.Unrecorded.
var errPostNotFound = errors.New("its post cannot be found to delete; look for it on the platform")

// forbid keeps every later Send from posting the update being retracted on
// the channel: it marks the update's delivery there as failed for good
// (errRetracted), unless it is marked delivered already (a later Send is
// then Skipped). A receipt without that mark (the mark was not recorded)
// does not keep a Send from posting again: it is marked too.
func (d *delivery) forbid(ctx context.Context) error {
	key := opSend.markID(d.original)
	done, _, err := d.b.store.Done(ctx, key, d.name, "")
	if err == nil && !done {
		err = d.b.store.Mark(ctx, key, d.name, "", errRetracted)
	}
	if err != nil {
		return fmt.Errorf("store: keep %s from being posted after its retraction: %w", d.original, err)
	}
	d.forbidden = true
	return nil
}

// stop ends the delivery without an attempt: set records why.
func (d *delivery) stop(set func(*Result), kind EventKind) bool {
	defer d.emitKind(kind, 0)
	set(d.res)
	d.res.Err = nil
	return true
}

// attempt makes one call of the channel under the attempt timeout. A panic
// in the channel becomes a permanent error instead of taking the process
// down. Targets whose marks could not be read make the attempt transient:
// the channel skipped them, and a retry reaches them once the Store reads.
// So do targets held back (see holdSlow) that the channel skipped on
// Ledger.Done's word: the delivery is not done while they lack the update.
func (d *delivery) attempt(ctx context.Context) (err error) {
	actx := d.first.context(d.n)
	if actx == nil {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, d.b.timeout)
		defer cancel()
	}
	d.called = true
	var of *delivery
	if d.op != opRetract {
		of = d
	}
	d.ledger.attempt(actx, of)
	err = d.call(actx)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		// Our attempt timeout, not the caller's context: worth retrying.
		err = &attemptTimeoutError{after: d.b.timeout, err: err}
	}
	if skipped := d.ledger.takeSkipped(); skipped != nil && err == nil {
		err = skipped
	}
	if unread := d.ledger.takeUnread(); unread != nil {
		if err != nil {
			err = &unreadError{unread: unread, err: err}
		} else {
			err = unread
		}
	}
	// The targets the call left pending (its *TargetsError's), until
	// settle: the Result's, also when later attempts fail before calling
	// the channel (the Store cannot be read).
	d.res.Pending = nil
	if err != nil {
		d.res.Pending = pendingOf(err)
	}
	return err
}

// pendingOf returns the pending targets of err's *TargetsError, if any. In
// a frame of its own: the target of errors.As escapes, and would cost
// every attempt an allocation, failed or not.
//
//go:noinline
func pendingOf(err error) []TargetFailure {
	var te *TargetsError
	if errwalk.As(err, &te) {
		return te.Pending
	}
	return nil
}

// recovered, deferred, turns a panic in a channel's method into a permanent
// error in *err: a channel's bug fails that channel, never the process or
// the other channels.
func recovered(err *error) {
	if r := recover(); r != nil {
		*err = panicked("channel", r)
	}
}

// panicked is the error of a panic in what: permanent, since a bug is not
// worth trying again. It shows of the panic's value what panictext.Text
// does: a runtime error, or the value's type only, since the value may
// quote a secret.
func panicked(what string, r any) error {
	return Permanent(&panicError{fmt.Errorf("%s panicked: %s", what, panictext.Text(r))})
}

// panicError is the error of a panic (see panicked).
type panicError struct{ error }

func (e *panicError) Unwrap() error { return e.error }

// firstAttempts is the attempt timeout shared by the first attempts of a
// Send's deliveries: they start together, and one context (one timer) for
// all of them costs a tenth of one each. An attempt that starts later (after
// a retry wait, a stage, or waiting for a lock) has a context of its own,
// so that no attempt gets much less than AttemptTimeout: one that shares
// gets at least 63/64 of it.
type firstAttempts struct {
	ctx   context.Context
	until time.Time // an attempt starting later has its own context
}

// context returns the context attempt n shares, or nil when it must have
// its own.
func (f *firstAttempts) context(n int) context.Context {
	// time.Until reads the monotonic clock alone, where time.Now().After
	// would read the wall clock too.
	if f == nil || n > 1 || time.Until(f.until) < 0 {
		return nil
	}
	return f.ctx
}

// call is the one call of the channel an attempt makes; the receipt goes
// to d.rcpt. A panic in the channel becomes a permanent error instead of
// taking the process down. Each kind of call has a function of its own:
// a Message is large, and on the goroutine of every delivery a frame
// holding room for all three calls would make the stack grow.
func (d *delivery) call(ctx context.Context) (err error) {
	defer recovered(&err)
	switch {
	case d.op == opRetract:
		err = d.callRetract(ctx)
	case d.op == opCorrect && !d.prev.IsZero():
		err = d.callEdit(ctx)
	default:
		err = d.callSend(ctx)
	}
	if err != nil {
		err = readable(err, "channel")
	}
	return err
}

// readable returns err, or, when its Error method panics (a nil pointer
// of an error type in a non-nil error), a permanent error that says so
// and names the type: every log record, mark and report of the delivery
// reads the error's text, and the panic would take the process down from
// a delivery's goroutine. So is an error whose text quotes, as fmt does,
// the value of a panic in the Error method of an error it holds (a
// *url.Error's of its Err), or of a method of a value it formats: see
// readText. whose says whose error it is. The error made is
// panictext.Made: its text's quotes are shown already.
func readable(err error, whose string) error {
	if text, ok := readText(err, whose); !ok {
		return Permanent(panictext.Error(text))
	}
	return err
}

// readText returns err's text and true, or, when err's Error method
// panics or its text quotes, as fmt does, the value of a panic in a
// method fmt called (the Error method of an error it holds, the String
// method of a value it formats: see panictext.ErrorText), the text of the
// error readable makes of it and false: it names the type at fault and
// shows of the panic's value what panictext.ErrorText does, since the
// value may quote a secret. whose says whose error it is.
func readText(err error, whose string) (string, bool) {
	text, own := panictext.ErrorText(err)
	if own {
		return text, true
	}
	if _, r, ok := panictext.TryError(err); !ok {
		return unreadable(err, whose, r), false
	}
	return fmt.Sprintf("%s returned an error (a %T) whose text quotes a panic: %s", whose, err, text), false
}

// unreadable is the text of err, whose Error method panicked with r: it
// names the type at fault (see culprit) and shows of r what
// panictext.Text does, since r may quote a secret. whose says whose error
// it is.
func unreadable(err error, whose string, r any) string {
	return fmt.Sprintf("%s returned an error (a %T) whose Error method panicked: %s", whose, culprit(err), panictext.Text(r))
}

// culprit returns the error of err's chain, whose Error method panics,
// that the panic comes from: the last one down the chain whose Error
// panics too, past the wrappers whose text is the wrapped error's (a
// Permanent mark), so that readable names the type at fault, not
// Permanent's.
func culprit(err error) error {
	for range maxUnwrap {
		next := errwalk.Unwrap(err)
		if next == nil || !errorPanics(next) {
			break
		}
		err = next
	}
	return err
}

// errorPanics reports whether err's Error method panics.
func errorPanics(err error) bool {
	_, read := errwalk.Try(err.Error)
	return !read
}

// message is the Message of the attempt under way, built on the stack:
// the deliveries of a Send share one Update, and a Message each on the
// heap would make every Send copy it, pointers and all, once more.
func (d *delivery) message() Message {
	n := d.n
	if d.earlier {
		n++
	}
	return Message{Update: *d.u, Attempt: n, Thread: d.th, Ledger: &d.ledger, channel: d.name, stale: d.stale}
}

// attemptedTarget is the target under which the Store keeps whether an
// attempt of a delivery may have posted without its outcome being
// recorded: marked without a failure before an attempt calls the channel,
// with errAnswered once every attempt so far got a definite answer (see
// answered). Update IDs and channels' targets hold no control characters,
// so it is no target of a channel's.
const attemptedTarget = "\x00attempted"

// errAnswered is the failure of the attemptedTarget mark that says every
// attempt made got a definite answer: nothing of them is unknown.
var errAnswered = errors.New("answered")

// noteAttempt reads, before an attempt (number n of this run) calls the
// channel, whether an earlier attempt's outcome is unknown: one that timed
// out, lost its connection or ended with its process after it may have
// posted, its outcome never recorded. On the run's first attempt, such an
// attempt is an earlier run's (a Send whose retries were used up, a
// process that ended, a queue's job run again after its worker died): it
// sets d.earlier, so that Message.Attempt counts it, and a channel whose
// platform takes no idempotency key looks for its post before posting
// again, as on any retry. A read that fails counts as an unknown outcome.
// When none is unknown, it marks the attempt under way as one, until
// answered says otherwise. The mark is written with ctx: nothing was
// delivered yet, so nothing outlives the caller here; a mark that cannot
// be written is logged and the attempt goes on (an update that reaches no
// one because the Store is in trouble, as it may be in an outage, is worse
// than a later run that does not know to look), unless ctx ended.
//
//go:noinline
func (d *delivery) noteAttempt(ctx context.Context, n int) error {
	done, failure, err := d.b.store.Done(ctx, d.markID, d.name, attemptedTarget)
	d.unknownBefore = err != nil || done && failure == ""
	if n == 1 && d.unknownBefore {
		d.earlier = true
	}
	if d.unknownBefore {
		return ctx.Err()
	}
	if err := d.b.store.Mark(ctx, d.markID, d.name, attemptedTarget, nil); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.b.storeTrouble(ctx, "record that "+d.u.ID+" is attempted on "+d.name, err)
	}
	return nil
}

// answered records, after an attempt failed with err (or reached some
// targets and had the others refused, err their refusals, see
// delivered), that no attempt's
// outcome is unknown, when err is a definite answer (see definite) and no
// earlier attempt's outcome was unknown: a later run's first attempt is
// then Attempt 1 again. A failure to write it is logged: the mark then
// says unknown, which costs a later run a look-up, never a post.
func (d *delivery) answered(ctx context.Context, err error) {
	if d.op == opRetract || d.unknownBefore || !definite(err) {
		return
	}
	if err := d.b.store.Mark(ctx, d.markID, d.name, attemptedTarget, errAnswered); err != nil {
		d.b.storeTrouble(ctx, "record that "+d.u.ID+" was answered on "+d.name, err)
	}
}

// definite reports whether err, an attempt's, says what the platform did
// with it, every part of it: refused it (Permanent) or asked to wait (a
// rate limit's RetryAfter), and posted nothing. After a timeout, a dropped
// connection or a server error (Uncertain, when it asks to wait) a post
// may exist; after ErrNotRecorded one
// does; a channel that panicked may have posted before it did. A fan-out's
// TargetsError is definite when each pending target's error is (or the
// target was not attempted) and no target failed for good with an error
// marked Uncertain (a refused answer the platform may have posted all the
// same, a relay's echo): the rate limit of one target, which marks the
// whole error, says nothing of another that timed out. So is a join of
// errors (an edit's and the post anew's), itself or wrapped, when each
// part is, unless a Permanent or RetryAfter mark above it judged the whole.
func definite(err error) bool {
	switch {
	case errwalk.Is(err, ErrNotRecorded) || errwalk.Is(err, ErrAttemptTimeout) ||
		errwalk.Is(err, context.DeadlineExceeded) || errwalk.Is(err, context.Canceled) ||
		errwalk.As(err, new(*panicError)) || IsUncertain(err):
		return false
	}
	for e := err; e != nil; e = errwalk.Unwrap(e) {
		// A join, itself or wrapped, is definite when each part is; one
		// under a Permanent or RetryAfter mark is the mark's: the channel
		// judged the whole (X's duplicate refusal wraps ErrDuplicate and
		// the API's error).
		if _, marked := e.(*permanentError); marked {
			break
		}
		if _, marked := e.(*retryAfterError); marked {
			break
		}
		if joined, ok := e.(interface{ Unwrap() []error }); ok {
			// A join whose parts cannot be read (its Unwrap panics) says
			// nothing definite.
			parts, read := errwalk.Try(joined.Unwrap)
			if !read {
				return false
			}
			for _, part := range parts {
				if !definite(part) {
					return false
				}
			}
			return true
		}
	}
	if te := new(TargetsError); errwalk.As(err, &te) {
		for _, p := range te.Pending {
			if !errwalk.Is(p.Err, errNotAttempted) && !definite(p.Err) {
				return false
			}
		}
		for _, f := range te.Failures {
			if IsUncertain(f.Err) {
				return false
			}
		}
		return true
	}
	if _, ok := RetryDelay(err); ok {
		return true
	}
	return IsPermanent(err)
}

//go:noinline
func (d *delivery) callSend(ctx context.Context) error {
	r, err := d.ch.Send(ctx, d.message())
	if err == nil {
		d.res.Receipt = r
	} else if postGone(err, true, false) {
		// ErrPostGone is an Edit's or a Retract's, ErrNotEditable an
		// Edit's: a Send that says either would keep its targets pending
		// (see Fanout.Report) through every retry. It fails for good; the
		// targets stay unmarked, for a later Send.
		err = Permanent(err)
	}
	return err
}

//go:noinline
func (d *delivery) callEdit(ctx context.Context) error {
	prev := d.prev
	if d.anew != nil {
		// A correction's posts made anew are edited with its receipt's.
		prev = prev.clone()
		prev.merge(*d.anew)
	}
	ed, _ := As[Editor](d.ch) // d.prev is set only for an Editor
	m := d.message()
	m.edit = true
	r, err := ed.Edit(ctx, m, prev)
	if (postGone(err, true, true) || unsupported(err)) && !d.editedSome(err) {
		// Deleted on the platform, or no longer editable there, or no
		// edit at all (a wrapper's Edit of a channel that is no Editor,
		// or targets whose platform cannot edit), and nothing edited:
		// the correction is posted anew, in the thread, as where the
		// channel cannot edit.
		d.prev = Receipt{}
		return d.callSend(ctx)
	}
	if err != nil {
		if err = d.postAnewSome(ctx, err); err != nil {
			return err
		}
		if r.IsZero() {
			r = prev // not the Send's receipt, which names the posts made anew only
		}
	}
	if r.ID == "" && r.URL == "" && len(r.Meta) == 0 {
		// A receipt naming no post (a platform that answers an edit with
		// no body) is of the post edited: kept without its ID, a later
		// Correct would post anew, and a Retract delete nothing.
		r.ID, r.URL, r.Meta = prev.ID, prev.URL, maps.Clone(prev.Meta)
	}
	if _, posts := d.ledger.reached(); len(posts) > 0 {
		// Posts made anew by this delivery (postAnewSome's Send, in this
		// attempt or an earlier one): the Result names them too, where
		// readers find the correction; the Store keeps the original's
		// receipt, and these in the correction's partial record.
		r = r.clone()
		for _, p := range posts {
			r.merge(p)
		}
	}
	d.res.Receipt = r
	return nil
}

// editedSome reports whether err, an Edit's, says that some target's post
// was edited, in this attempt or an earlier one: a TargetsError counting
// more targets done than it lists and than this delivery posted anew (a
// target posted anew in an earlier attempt is done, not edited). The
// correction is then one edited in place, whatever the others say: its
// receipt is the original's, and the posts it makes anew are kept with it
// (see keepPartial).
func (d *delivery) editedSome(err error) bool {
	var te *TargetsError
	return errwalk.As(err, &te) && te.Total > len(te.Pending)+len(te.Failures)+len(d.anewTargets)
}

// postAnewSome handles err, an Edit's that edited some targets (see
// editedSome) or whose pending targets are not all gone or not editable
// (or on a platform that cannot edit: see postAnew):
// those that are get the correction posted anew at once, by a Send whose
// Ledger holds the others back (pending, not tried), and the attempt fails
// transiently with the others pending, so that only their edits are
// retried; nil when none is. Otherwise the targets that say so would be
// asked again on every retry, and get the correction only if the others'
// edits succeeded before the retries ran out. err is returned as is when
// no target says so.
//
//go:noinline
func (d *delivery) postAnewSome(ctx context.Context, err error) error {
	var te *TargetsError
	if !errwalk.As(err, &te) {
		return err
	}
	var others []TargetFailure
	for _, f := range te.Pending {
		if !postAnew(f.Err, true) {
			others = append(others, f)
		}
	}
	if len(others) == len(te.Pending) {
		return err
	}
	release := d.ledger.holdFor(others)
	sendErr := d.callSend(ctx)
	release()
	var ste *TargetsError
	if sendErr != nil && (IsPermanent(sendErr) || !errwalk.As(sendErr, &ste)) {
		return errors.Join(err, sendErr) // the Send failed as a whole, or for good
	}
	d.notePostedAnew(te.Pending, ste)
	e := &TargetsError{Total: te.Total, Pending: others, Failures: te.Failures, show: te.show}
	if ste != nil {
		if e.show == nil {
			e.show = ste.show // the Send's targets are the Edit's
		}
		// Failures: every target failed for good, in the Edit (marked)
		// or the Send, the Edit's with the Edit's error (the Send reads
		// them from the Ledger as failed in an earlier attempt); Pending:
		// the Send's, but the targets held back, which the Edit's errors
		// name better.
		e.Failures = slices.Clone(ste.Failures)
		for i, f := range e.Failures {
			if j := slices.IndexFunc(te.Failures, func(g TargetFailure) bool { return g.Target == f.Target }); j >= 0 {
				e.Failures[i] = te.Failures[j]
			}
		}
		for _, f := range ste.Pending {
			if !slices.ContainsFunc(others, func(o TargetFailure) bool { return o.Target == f.Target }) {
				e.Pending = append(e.Pending, f)
			}
		}
	}
	wait, hinted := RetryDelay(err)
	if w, ok := RetryDelay(sendErr); ok {
		wait, hinted = max(wait, w), true
	}
	switch {
	case len(e.Pending) == 0:
		return nil // the Edit's failures for good are in the Ledger
	case hinted:
		return RetryAfter(e, wait)
	}
	return e
}

// notePostedAnew records in d.anewTargets the targets of pending that
// postAnewSome's Send posted: those that asked to be posted anew and that
// the Send's error ste (nil: none) does not list.
func (d *delivery) notePostedAnew(pending []TargetFailure, ste *TargetsError) {
	open := func(target string) bool {
		named := func(f TargetFailure) bool { return f.Target == target }
		return ste != nil && (slices.ContainsFunc(ste.Pending, named) || slices.ContainsFunc(ste.Failures, named))
	}
	for _, f := range pending {
		if postAnew(f.Err, true) && !open(f.Target) {
			if d.anewTargets == nil {
				d.anewTargets = make(map[string]bool)
			}
			d.anewTargets[f.Target] = true
		}
	}
}

//go:noinline
func (d *delivery) callRetract(ctx context.Context) error {
	prev := d.prev
	if d.anew != nil {
		// Merged into a copy: the mark of the retracted post is keyed by
		// the receipt as the Store has it (see retractedPost).
		prev = prev.clone()
		prev.merge(*d.anew)
	}
	rt, _ := As[Retractor](d.ch) // prepareRetract stopped any other channel
	err := rt.Retract(ctx, prev)
	if te := (*TargetsError)(nil); errwalk.As(err, &te) {
		d.notePartlyDeleted(te)
		if !te.deletion {
			err = deletionOf(err, te) // made outside a Fanout
		}
	}
	if postGone(err, false, false) {
		err = refused(err) // deleted already, but where a target refused
	} else if postGone(err, true, false) || unsupported(err) {
		// ErrNotEditable is an Edit's (see callSend); ErrNotSupported
		// says the channel cannot delete, as for one that is no Retractor.
		err = Permanent(err)
	}
	if err == nil {
		d.res.Receipt = d.prev
	}
	return err
}

// deletionError is a Retract's error err, which holds te, a
// *TargetsError made outside a Fanout (by a channel written outside this
// module, or by hand): it counts posts not deleted rather than updates
// not delivered, in a copy of te that errors.As finds, and in its text,
// err's with te's replaced by the copy's; where err's text does not hold
// te's (te is a redactor's copy whose targets show as REDACTED, in a text
// redacted otherwise: see redact.ReplaceError), err's with te's count of
// the targets replaced by the copy's: the first text reading so, which
// may be words of the channel's quoting such a count. A Retract's Fanout
// makes its TargetsError saying so itself (see NewFanout), which a copy
// keeps, so that its text is never searched: callRetract leaves such an
// error as it is. The channel's error itself is not written to: a channel
// may return one value from several calls, a Send's among them, or from
// calls running at once.
type deletionError struct {
	err     error
	te, cut *TargetsError // the channel's, and the copy
}

// deletionOf returns err, a Retract's, which holds te, as a deletionError.
func deletionOf(err error, te *TargetsError) error {
	cut := *te
	cut.deletion = true
	return &deletionError{err: err, te: te, cut: &cut}
}

func (e *deletionError) Error() string {
	s := e.err.Error()
	if t := e.te.Error(); strings.Contains(s, t) {
		return strings.Replace(s, t, e.cut.Error(), 1)
	}
	return strings.Replace(s, e.te.count(), e.cut.count(), 1)
}

func (e *deletionError) Unwrap() error { return e.err }

// As finds the copy of the channel's *TargetsError.
func (e *deletionError) As(target any) bool {
	if t, ok := target.(**TargetsError); ok {
		*t = e.cut
		return true
	}
	return false
}

// postGone reports whether err, an Edit's or a Retract's, says that the
// post is gone from the platform, or, with notEditable, that it is gone or
// cannot be edited: it wraps ErrPostGone (or ErrNotEditable), or it is a
// TargetsError whose pending targets all say so (the others are done, or
// failed for good: see refused); with edit too, an Edit's, a target's
// ErrNotSupported says so as well (see postAnew).
// Not inlined: its frame would grow callSend's, on every delivery's stack.
//
//go:noinline
func postGone(err error, notEditable, edit bool) bool {
	says := func(err error) bool {
		if notEditable {
			return postAnew(err, edit)
		}
		return errwalk.Is(err, ErrPostGone)
	}
	var te *TargetsError
	if !errwalk.As(err, &te) {
		return says(err)
	}
	for _, f := range te.Pending {
		if !says(f.Err) {
			return false
		}
	}
	return len(te.Pending) > 0
}

// unsupported reports whether err, the error of an optional method as a
// whole (no *TargetsError, whose targets answer for themselves), wraps
// ErrNotSupported: the channel cannot do it at all, as a wrapper that
// intercepts the method of a channel without it answers (see Channel).
// The Broadcaster then does what it does for a channel without the
// method.
func unsupported(err error) bool {
	var te *TargetsError
	return errwalk.Is(err, ErrNotSupported) && !errwalk.As(err, &te)
}

// refused returns the targets that refused for good in err, a
// Retract's whose other targets' posts were gone already, as a Permanent
// *TargetsError: nil when none did. Without a Ledger nothing else records
// them, and the gone ones are deleted, not pending.
//
//go:noinline
func refused(err error) error {
	var te *TargetsError
	if !errwalk.As(err, &te) || len(te.Failures) == 0 {
		return nil
	}
	return Permanent(&TargetsError{Total: te.Total, Failures: te.Failures, deletion: te.deletion, show: te.show})
}

// partlyDeletedTarget is the mark, under the retraction's mark ID of an
// update on a channel, that a Retract deleted its post on some targets
// (each marked delivered under that ID) and not on others: the update is
// then no newer post of its incident on the targets where it was deleted
// (see partlyRetracted, storeLedger.newerThere). Like attemptedTarget, no
// channel's target.
const partlyDeletedTarget = "\x00partly deleted"

// notePartlyDeleted records, after an attempt of a Retract that failed on
// some targets of a channel that fans out (te, its error), the targets
// where the post was deleted: those the attempt did (a Fanout's error
// names them, see TargetsError.done, which a redacted copy keeps), and
// those whose post was gone already. Each is marked under the
// retraction's mark ID, then partlyDeletedTarget; so they are under the
// post's key (see retractedPost), which every update whose receipt names
// the post shares (an in-place correction and its original), so that a
// Correct of any of them refuses those targets (see partlyDeleted). A
// write that fails is logged: the update's post then counts as up on
// every target, as before any deletion, and an older update is
// superseded where it may not be.
//
//go:noinline
func (d *delivery) notePartlyDeleted(te *TargetsError) {
	keys, n := []string{opRetract.markID(d.original)}, 0
	if d.prev.ID != "" {
		keys = append(keys, retractedPost(&d.prev))
	}
	var errs []error
	mark := func(target string) {
		if target == "" || target[0] == 0 { // no target's: the retraction's own marks
			return
		}
		n++
		for _, key := range keys {
			if err := d.b.store.Mark(d.ledger.ctx, key, d.name, target, nil); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, target := range te.done {
		mark(target)
	}
	for _, f := range te.Pending {
		if errwalk.Is(f.Err, ErrPostGone) {
			mark(f.Target)
		}
	}
	if n == 0 {
		return
	}
	for _, key := range keys {
		if len(errs) == 0 {
			if err := d.b.store.Mark(d.ledger.ctx, key, d.name, partlyDeletedTarget, nil); err != nil {
				errs = append(errs, err)
			}
		}
	}
	d.b.storeTrouble(d.ledger.ctx, "record the targets where the post of "+d.original+" on "+d.name+" was deleted", errors.Join(errs...))
}

// partlyRetracted reports whether a Retract of update deleted its post on
// some targets of channel and not on others (see notePartlyDeleted).
func (b *Broadcaster) partlyRetracted(ctx context.Context, update, channel string) (bool, error) {
	return b.partlyDeletedUnder(ctx, opRetract.markID(update), update, channel)
}

// partlyDeletedUnder reports whether the marks under key, a
// retraction's mark ID or a post's key (see notePartlyDeleted), say that
// a Retract deleted the post of update on some targets of channel and not
// on others.
func (b *Broadcaster) partlyDeletedUnder(ctx context.Context, key, update, channel string) (bool, error) {
	done, failure, err := b.store.Done(ctx, key, channel, partlyDeletedTarget)
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether %s was deleted on some targets of %s: %w", update, channel, err)
	}
	return done && failure == "", nil
}

// delivered records a delivery: the receipt (threading, corrections) and
// the mark (idempotency). It is not retried when that fails: the error
// wraps ErrNotRecorded.
func (d *delivery) delivered(ctx context.Context) {
	d.res.Err = nil
	r := &d.res.Receipt
	r.Channel = d.name
	if r.Time.IsZero() {
		r.Time = time.Now().UTC().Round(0)
	}
	var errs []error
	save := func(incidentID string, r Receipt) {
		if err := d.b.store.SaveReceipt(ctx, incidentID, d.u.ID, r); err != nil {
			errs = append(errs, fmt.Errorf("store: save receipt: %w", err))
		}
	}
	mark := func(updateID string) {
		if err := d.b.store.Mark(ctx, updateID, d.name, "", nil); err != nil {
			errs = append(errs, fmt.Errorf("store: mark delivered: %w", err))
		}
	}
	failed := d.op != opRetract && d.ledger.failedSome()
	if failed {
		// Written before the receipt and the mark, which without it would
		// say every target has the update, so that a later Send skipped
		// the targets that failed for good instead of trying them again
		// (see retryFailed). When it cannot be written, the delivery is
		// recorded as one that reached some targets only (see
		// keepPartial): a later Send tries those that lack it.
		if err := d.b.store.Mark(ctx, d.markID, d.name, failedTargetsTarget, errTargetsFailed); err != nil {
			errs = append(errs, fmt.Errorf("store: mark whether targets failed: %w", err))
			if d.keepPartial(ctx); d.partialErr != nil {
				errs = append(errs, d.partialErr)
			}
			d.res.Err = Permanent(fmt.Errorf("%w: %w", ErrNotRecorded, errors.Join(errs...)))
			d.done = true
			return
		}
		// A later Send tries the targets refused again: its first
		// attempt is Attempt 1 when every target got a definite answer,
		// delivered or refused, as after an attempt all refused.
		_, refused, _ := d.ledger.outcome()
		d.answered(ctx, Permanent(&TargetsError{Total: len(refused), Failures: refused}))
	}
	switch {
	case d.op == opCorrect && !d.prev.IsZero():
		// Edited in place: the correction's receipt is the edited post, for
		// its Report, a later Retract or Correct. It is saved outside the
		// incident's thread, whose latest post stays what it was (the
		// same post, now edited), whatever was delivered meanwhile; an
		// edit the platform made a post of its own replaces it there
		// (see followVersion).
		d.res.Edited = true
		// The post keeps its place in the incident's order: the
		// original's (see correctionTime).
		r.UpdateID, r.UpdateTime = d.u.ID, cmp.Or(d.prev.UpdateTime, d.u.Time)
		saved := *r
		if saved.ID == d.prev.ID {
			// The same post: saved as the original names it, whatever
			// Meta the Editor returned, so that a retraction of either
			// is seen on both (see retractedPost).
			saved.Meta = d.prev.Meta
		}
		save(inPlaceEdits, saved)
		if saved.ID != d.prev.ID && saved.ID != "" && d.prev.ID != "" {
			if err := d.followVersion(ctx, saved); err != nil {
				errs = append(errs, err)
			}
			if err := d.linkVersions(ctx, saved); err != nil {
				errs = append(errs, err)
			}
		}
		d.keepThread(ctx)
		// The posts made anew, or those of the correction it corrected,
		// for a Retract or Correct of this one.
		if d.keepPartial(ctx); d.partialErr != nil {
			errs = append(errs, d.partialErr)
		}
	case d.op != opRetract:
		u := *d.u
		if d.op == opCorrect {
			u.Time = d.correctionTime(ctx)
		}
		r.UpdateID, r.UpdateTime = u.ID, u.Time
		if d.ledger.retrying() && d.keepEarlierPost(ctx, r) && d.op == opCorrect && d.followed ||
			!d.ledger.retrying() && d.op == opCorrect && d.followed {
			// A correction posted in the thread before its latest post,
			// its refused targets tried again, or those it had not
			// reached (see partlyPosted): it keeps its place, and the
			// newer post stays the one the next update follows. Its
			// receipt is saved outside the thread, as an in-place
			// correction's, for a Retract or Correct of it.
			save(inPlaceEdits, *r)
			d.keepThread(ctx)
			break
		}
		save(u.IncidentID, *r)
		d.linkPrevious(ctx)
		if d.rootGone && d.th.Root.IsZero() {
			// The first post of the thread after its first was retracted.
			save(restartedThread(u.IncidentID), *r)
		}
		if !d.flight.retracted.Load() {
			// Not when a Retract stopped this delivery while its attempt
			// was under way: the post is deleted once the attempt ends,
			// and must not supersede an older update waiting to retry.
			// The Store's thread, read before every attempt, still says
			// whether it is up.
			place := d.place
			if d.op == opCorrect {
				// A correction is no newer status of the incident: of one
				// Time (that of the post it follows, see correctionTime),
				// an update sent is newer, whichever Send came first, as
				// the Store's thread alone (another instance) has it.
				place = time.Time{}
			}
			d.b.newest.delivered(u, place, d.name, *r)
		}
	}
	mark(d.markID)
	if d.op == opCorrect {
		d.keepDeleted(ctx)
	}
	if d.op != opRetract && !failed && (d.ledger.retrying() || d.ledger.reachedBefore()) {
		// The targets that failed in an earlier Send have it now: a later
		// Send, or Correct, does not try them again (see retryFailed).
		// Also when this Send completes one that reached some targets
		// and was not recorded delivered: its mark that targets failed
		// may have been written all the same (see above). A failure to
		// write it is logged, not ErrNotRecorded: the receipt and the
		// marks say every target has the update, so the mark left makes
		// the next Send call the channel once more, which reaches no
		// target (each is marked delivered), and write it then.
		err := d.b.store.Mark(ctx, d.markID, d.name, failedTargetsTarget, nil)
		d.b.storeTrouble(ctx, "record that every target of "+d.u.ID+" on "+d.name+" has it now", err)
	}
	if d.op == opRetract && d.prev.ID != "" {
		// The post is gone for every update whose receipt names it: an
		// in-place correction's and its original's alike.
		mark(retractedPost(&d.prev))
		d.b.newest.forgetPost(d.prev, d.name)
		// So are its other versions, where an edit made each a post of
		// its own (see followVersion): the platform deletes them all.
		errs = append(errs, d.versions(ctx, d.prev, func(v Receipt) {
			mark(retractedPost(&v))
			d.b.newest.forgetPost(v, d.name)
		})...)
	}
	if len(errs) > 0 {
		d.res.Err = Permanent(fmt.Errorf("%w: %w", ErrNotRecorded, errors.Join(errs...)))
	}
	d.done = true
}

// keepEarlierPost makes r, the receipt of a Send (or of a correction
// posted anew) that tried again targets
// that failed permanently (see retryFailed), the receipt of the earlier
// delivery, with the posts r names added: the update's post, which the
// thread and the targets reached earlier know, stays the one later
// updates follow. kept reports that the Store had the earlier receipt.
func (d *delivery) keepEarlierPost(ctx context.Context, r *Receipt) (kept bool) {
	earlier, ok, err := d.b.store.Receipt(ctx, d.u.ID, d.name)
	if err != nil || !ok {
		return false // r then stands for the update, as a first delivery's does
	}
	earlier.merge(*r)
	earlier.Time = cmp.Or(earlier.Time, r.Time)
	*r = earlier
	return true
}

// followVersion records edited, the receipt of an edit that the platform
// made a post of its own (X gives each version of a post a new id, and
// replies and edits go to the latest), as the incident's latest post when
// the thread's was the post edited: the next update then replies to the
// current version, and a Correct or Retract of the update that post was
// (the thread's receipt of it) acts on it too. A post that is not the
// thread's latest leaves the thread alone: later updates reply to a later
// post. Either way the receipt of the update corrected (an in-place
// correction's, or one not the thread's latest) names it too, saved
// outside the thread as an in-place correction's is (see inPlaceEdits),
// so that a later Correct of that update edits the current version, not
// one the platform no longer lets be edited. Edited's Meta names the
// post, so that a retraction of any of these receipts is seen on the
// others (see retractedPost).
func (d *delivery) followVersion(ctx context.Context, edited Receipt) error {
	version := func(r Receipt) Receipt {
		r = r.clone()
		r.ID, r.URL, r.Time, r.Meta = edited.ID, edited.URL, edited.Time, maps.Clone(edited.Meta)
		return r
	}
	t, err := d.b.store.Thread(ctx, d.u.IncidentID, d.name)
	if err != nil {
		return fmt.Errorf("store: read the thread, to follow the edited post: %w", err)
	}
	last := t.Last
	if last.ID == d.prev.ID && last.UpdateID != "" && maps.Equal(last.Meta, d.prev.Meta) {
		current := version(last)
		if err := d.b.store.SaveReceipt(ctx, d.u.IncidentID, last.UpdateID, current); err != nil {
			return fmt.Errorf("store: save the edited post as the thread's latest: %w", err)
		}
		d.b.newest.renamed(d.name, last, current)
		if last.UpdateID == d.original {
			return nil
		}
	}
	if err := d.b.store.SaveReceipt(ctx, inPlaceEdits, d.original, version(d.prev)); err != nil {
		return fmt.Errorf("store: save the edited post as the receipt of %s: %w", d.original, err)
	}
	return nil
}

// linkVersions records that edited is the version after d.prev, and d.prev
// the one before it, so that a retraction of a receipt naming any version
// finds the others (see versions): the platform deletes every version of a
// post, and receipts go on naming the version they were given (a
// correction's names the version it made, the thread's root the first).
// The links between d.prev and its earlier versions are saved again with
// it: a Store's Prune removes a link by when it was saved (it has no mark
// to keep it), and the receipts naming the earlier versions (the thread's
// root) are kept as long as this edit's (see keepThread).
func (d *delivery) linkVersions(ctx context.Context, edited Receipt) error {
	links := [][2]Receipt{{d.prev, edited}}
	seen := map[string]bool{retractedPost(&edited): true, retractedPost(&d.prev): true}
	var readErr error
	for v := d.prev; ; {
		prior, ok, err := d.versionLink(ctx, &v, false)
		if err != nil {
			readErr = fmt.Errorf("store: read the versions of the edited post: %w", err)
		}
		if !ok || seen[retractedPost(&prior)] {
			break
		}
		seen[retractedPost(&prior)] = true
		links = append(links, [2]Receipt{prior, v})
		v = prior
	}
	for _, l := range links {
		for _, k := range [...]struct {
			from, to Receipt
			next     bool
		}{{l[0], l[1], true}, {l[1], l[0], false}} {
			if err := d.b.store.SaveReceipt(ctx, inPlaceEdits, versionKey(retractedPost(&k.from), k.next), k.to); err != nil {
				return fmt.Errorf("store: save the link between the edited post's versions: %w", err)
			}
		}
	}
	return readErr
}

// versions calls f with each version of r's post other than r that the
// Store links to it (see linkVersions), later and earlier ones, and
// returns the errors of reading the links.
func (d *delivery) versions(ctx context.Context, r Receipt, f func(Receipt)) []error {
	var errs []error
	seen := map[string]bool{retractedPost(&r): true}
	for _, next := range []bool{true, false} {
		for v := r; ; {
			link, ok, err := d.versionLink(ctx, &v, next)
			if err != nil {
				errs = append(errs, fmt.Errorf("store: read the versions of the post retracted: %w", err))
			}
			if !ok || seen[retractedPost(&link)] {
				break
			}
			seen[retractedPost(&link)] = true
			f(link)
			v = link
		}
	}
	return errs
}

// versionKey is the Store's update key of the receipt that names the
// version after r's post (next) or before it (see linkVersions), post
// being the key of the post (retractedPost, or as earlier versions made
// it). It is kept under a key no update ID can take (they have no control
// characters), outside any thread (see inPlaceEdits).
func versionKey(post string, next bool) string {
	if next {
		return "\x00next version\x00" + post
	}
	return "\x00prior version\x00" + post
}

// versionLink reads the receipt of the version after r's post (next) or
// before it, saved by linkVersions, or by an earlier version under the
// key it made of r's whole Meta.
func (d *delivery) versionLink(ctx context.Context, r *Receipt, next bool) (Receipt, bool, error) {
	link, ok, err := d.b.store.Receipt(ctx, versionKey(retractedPost(r), next), d.name)
	legacy := ""
	if len(r.Meta) > 0 {
		legacy = retractedPostMeta(r)
	}
	if ok || err != nil || legacy == "" {
		return link, ok, err
	}
	return d.b.store.Receipt(ctx, versionKey(legacy, next), d.name)
}

// keepThread marks again the updates whose receipts keep the threads the
// edited post stands in, with the marks that say their posts were
// deleted: a Store's Prune keeps a thread while a receipt saved in it is
// kept, and a receipt while its update's mark is. An in-place
// correction's own receipt is saved outside any thread (see
// inPlaceEdits), as is that of a correction posted in the thread before
// its latest post whose refused targets were tried again (see
// delivered), so without this the incident's thread would be pruned
// with its original while the correction is kept, and the next update
// would start a new thread. The updates are the original (its receipt is
// in the thread it was posted in, unless an edit into a new version moved
// it out, see followVersion) and the first and latest posts of the
// incident's thread and of its restarted thread (see restartedThread):
// the latest was saved in its thread when it became the latest, so its
// receipt keeps the thread when the others' were moved out; a post that
// was retracted keeps its retraction's marks too, or a kept thread would
// take it for up again. An update some of whose targets refused it for
// good keeps that mark too (see retryFailed), and the marks of the
// targets this delivery marked or found delivered by an earlier one (a
// Correct again, which tries only the targets that refused the
// correction), so that a later Send of it tries the targets that refused
// it and not those it reached. An update whose post a Retract deleted on
// some targets only keeps that mark, and the marks of the targets this
// delivery knows where it was deleted (see notePartlyDeleted), under the
// Retract's mark ID and under the post's key (a Retract of an in-place
// correction sharing the post), so that an older update is still posted
// there and superseded only where the post is up, and a Correct still
// refuses those targets. A failure costs only that, and is logged.
func (d *delivery) keepThread(ctx context.Context) {
	ids := []string{d.original}
	for _, incident := range []string{d.u.IncidentID, restartedThread(d.u.IncidentID)} {
		t, err := d.b.store.Thread(ctx, incident, d.name)
		if err != nil {
			d.b.storeTrouble(ctx, "read the thread of "+d.u.IncidentID+" on "+d.name+", to keep it", err)
			return
		}
		for _, id := range []string{t.Root.UpdateID, t.Last.UpdateID} {
			if id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	fanned := false // the record of the updates that reached targets saved again
	for _, id := range ids {
		keys := []string{opSend.markID(id)}
		r, ok, err := d.b.store.Receipt(ctx, id, d.name)
		if ok {
			rk := retractionKeys(&r)
			keys = slices.DeleteFunc(append(keys, rk[:]...), func(k string) bool { return k == "" })
		}
		// again marks target of key again, as it is marked, and returns
		// whether it is and its failure text; nothing when it is not
		// marked or err is set.
		again := func(key, target string) (done bool, failure string) {
			if err != nil {
				return false, ""
			}
			if done, failure, err = d.b.store.Done(ctx, key, d.name, target); err == nil && done {
				var f error
				if failure != "" {
					f = errors.New(failure)
				}
				err = d.b.store.Mark(ctx, key, d.name, target, f)
			}
			return done && err == nil, failure
		}
		for _, key := range keys {
			again(key, "")
		}
		if _, failure := again(opSend.markID(id), failedTargetsTarget); failure != "" {
			// A later Send of the update tries again the targets that
			// refused it (see retryFailed): those it reached stay marked.
			for _, target := range d.ledger.knownTargets() {
				again(opSend.markID(id), target)
			}
		}
		// The marks of a Retract that deleted the post on some targets
		// only are under its update's mark ID and under the post's key,
		// which an in-place correction retracted shares with its
		// original (see notePartlyDeleted).
		partlyKeys := []string{opRetract.markID(id)}
		if ok && r.ID != "" {
			partlyKeys = append(partlyKeys, retractedPost(&r))
		}
		for i, key := range partlyKeys {
			if partly, _ := again(key, partlyDeletedTarget); !partly {
				continue
			}
			// A Retract deleted its post on some targets and not on
			// others: an older update is posted where it was deleted,
			// and superseded where it is up, as the update's marks
			// there and the record of the updates that reached targets
			// say (see storeLedger.newerThere), and a Correct refuses
			// the targets where it was deleted (see partlyDeleted).
			for _, target := range d.ledger.knownTargets() {
				again(key, target)
				if i == 0 {
					again(opSend.markID(id), target)
				}
			}
			if err == nil && !fanned {
				fanned, err = true, d.keepFanned(ctx)
			}
		}
		d.b.storeTrouble(ctx, "mark update "+id+" on "+d.name+" again, to keep its thread", err)
	}
}

// keepDeleted marks again, for a correction delivered, the marks that
// made it refuse the targets where a Retract deleted the post of an
// update up its chain (see partlyDeleted): the targets the delivery
// knows, then partlyDeletedTarget, as notePartlyDeleted wrote them; and
// it saves again the records of what each correction corrects, from this
// one up to the last of those updates, by which a Correct of this
// correction finds them. A Store's Prune removes a mark or a record by
// when it was written: without this, a Prune that keeps the correction
// and not the Retract's marks, or not a link of the chain between them,
// would let it post where the operator deleted the post. A failure is
// logged.
func (d *delivery) keepDeleted(ctx context.Context) {
	posts, links := d.ledger.deletedPosts()
	if len(posts) == 0 {
		return
	}
	targets := append(d.ledger.knownTargets(), partlyDeletedTarget)
	var errs []error
	for _, id := range links {
		// The records of what each correction corrects, by which a
		// Correct of this one walks up to the updates deleted: a Prune
		// removes them by when they were saved, as it does marks.
		key := correctsKey(id)
		r, ok, err := d.b.store.Receipt(ctx, key, sentChannel)
		if err == nil && ok {
			err = d.b.store.SaveReceipt(ctx, key, key, r)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, p := range posts {
		for _, target := range targets {
			done, failure, err := d.b.store.Done(ctx, p.key, d.name, target)
			if err == nil && done {
				var f error
				if failure != "" {
					f = errors.New(failure)
				}
				err = d.b.store.Mark(ctx, p.key, d.name, target, f)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	d.b.storeTrouble(ctx, "mark again the targets of "+d.name+" where a Retract deleted the post "+d.u.ID+" corrects", errors.Join(errs...))
}

// keepFanned saves again, for keepThread, the Store's record of the
// incident's updates that reached targets of the channel (see
// storeLedger.loadOrder), as it is, so that a Prune keeps it while it
// keeps the marks of those updates' targets.
func (d *delivery) keepFanned(ctx context.Context) error {
	key := fannedKey(d.u.IncidentID)
	r, ok, err := d.b.store.Receipt(ctx, key, d.name)
	if err != nil || !ok {
		return err
	}
	return d.b.store.SaveReceipt(ctx, postsIncident+key, key, r)
}

// correctionTime is the UpdateTime of a correction posted in the thread:
// right after its original's Time, or the Time of the post it follows (the
// thread's latest) when later. A correction fixes its original and is no
// newer status of the incident: with its own Time (the default, the time
// of Correct) it would supersede an update newer than its original that
// has not reached the channel yet (a retry waiting out a rate limit, a
// Send of it again); it does supersede its original (a retry of the wrong
// text waiting there), and must not make updates older than the post it
// follows look newer. The original's place is its post's on the channel
// (a correction's own is one of these; an edit in place keeps the
// post's), else its Time; when neither can be read, the correction's own
// Time stands. Two limits (see Broadcaster.Correct): of two updates of
// one Time, a correction of the first comes after both; and the Time of a
// correction that never reached this channel is that of its Correct, so a
// correction of it comes after every update sent before that.
func (d *delivery) correctionTime(ctx context.Context) time.Time {
	t := d.u.Time
	if r, ok, err := d.b.store.Receipt(ctx, d.original, d.name); err == nil && ok && !r.UpdateTime.IsZero() {
		t = r.UpdateTime.Add(time.Nanosecond)
	} else if orig, ok, _ := d.b.sentTime(ctx, d.original, sentKey(d.original)); ok { // a failed read is logged
		t = orig.Add(time.Nanosecond)
	}
	if d.th.Last.UpdateTime.After(t) {
		t = d.th.Last.UpdateTime
	}
	return t
}

// fail ends the delivery with err; settle emits EventFailed with the
// Result's error.
func (d *delivery) fail(err error) {
	d.res.Err = err
	d.failed = true
}

// settle completes the Result from the Ledger: the targets delivered, failed
// and pending, and the marks it could not write; then, for a delivery,
// emits EventDelivered with the Result's error.
func (d *delivery) settle() {
	var unrecorded error
	if d.res.Err != nil && channelClosed(d.res.Err) {
		// The channel's Close cut the delivery short: not retried here,
		// but no failure for good either (see ErrChannelClosed).
		d.res.Err = &closedRun{d.res.Err}
	}
	d.res.Delivered, d.res.Failures, unrecorded = d.ledger.outcome()
	d.res.SupersededTargets = d.ledger.supersededTargets()
	if d.res.Err == nil {
		d.res.Pending = nil // a call's (see attempt)
	} else {
		unrecorded = errors.Join(unrecorded, d.partialErr)
		var te *TargetsError
		if errwalk.As(d.res.Err, &te) {
			d.res.Pending = te.Pending
		}
		// Otherwise the last attempts failed before calling the channel:
		// the targets its last call left are pending still.
		// Targets whose marks could not be read, or held back, are
		// pending too; a Fanout lists them already.
		for _, f := range slices.Concat(d.ledger.pendingUnread(), d.ledger.heldTargets()) {
			if !slices.ContainsFunc(d.res.Pending, func(p TargetFailure) bool { return p.Target == f.Target }) {
				d.res.Pending = append(slices.Clip(d.res.Pending), f)
			}
		}
	}
	// The targets refused for good are in the error of a delivery that
	// reached the others, also when a record of it was lost: a caller
	// reads them from it (bounced addresses to drop), as from one whose
	// records were all written.
	var failed error
	if len(d.res.Failures) > 0 && !errwalk.As(d.res.Err, new(*TargetsError)) {
		failed = &TargetsError{Failures: d.res.Failures}
	}
	switch {
	case unrecorded != nil && !errwalk.Is(d.res.Err, ErrNotRecorded):
		notRecorded := fmt.Errorf("%w: %w", ErrNotRecorded, unrecorded)
		switch {
		case d.res.Err != nil:
			// Targets still pending are retried all the same: losing
			// them is worse than repeating the one whose mark was lost.
			d.res.Err = errors.Join(d.res.Err, notRecorded)
		case failed != nil:
			d.res.Err = Permanent(errors.Join(failed, notRecorded))
		default:
			d.res.Err = Permanent(notRecorded)
		}
	case d.res.Err == nil && failed != nil:
		d.res.Err = Permanent(failed)
	case d.done && failed != nil:
		// delivered could not write its own records (ErrNotRecorded).
		d.res.Err = Permanent(errors.Join(failed, d.res.Err))
	}
	// Before EventDelivered: an OnEvent handler that then gives the
	// correction's ID to a Correct of another update finds the record,
	// and is refused, where the delivery alone let the ID through.
	d.record.write()
	d.emitEnd()
}

// nextWait decides whether to retry after an attempt failed with err, and
// after what wait; spent is the attempts that count toward MaxAttempts.
//
//go:noinline
func (d *delivery) nextWait(ctx context.Context, bo *backoff.ExponentialBackOff, spent int, start time.Duration, err error) (time.Duration, bool) {
	if ctx.Err() != nil {
		d.res.Err = stopped(ctx.Err(), err)
		return 0, false
	}
	if IsPermanent(err) || channelClosed(err) || spent >= d.b.retry.MaxAttempts {
		return 0, false
	}
	back, delay := d.b.nextDelay(bo, err)
	left := d.b.retry.MaxElapsed - (monotonic() - start)
	switch wait, slow, ok := d.holdSlow(err, back, left); {
	case ok:
		delay = wait
	case slow > 0 && delay <= left:
		// Only targets held back (or about to be) are left: none would be
		// retried in time.
		d.res.Err = fmt.Errorf("gave up: %d target(s) still pending ask to wait past what is left of RetryPolicy.MaxElapsed (%v); last attempt: %w",
			slow, max(left, 0).Round(time.Millisecond), err)
		return 0, false
	}
	if delay > left {
		d.res.Err = fmt.Errorf("gave up: the next attempt would start after %v, past what is left of RetryPolicy.MaxElapsed (%v); last attempt: %w",
			delay.Round(time.Millisecond), max(left, 0).Round(time.Millisecond), err)
		return 0, false
	}
	return delay, true
}

// holdSlow holds back, for the rest of this delivery, the pending targets
// of err (a TargetsError) that ask to wait past left, what is left of
// RetryPolicy.MaxElapsed (slow counts them): they would not be retried in
// time anyway, and their wait would keep the channel's other pending
// targets from their retry. A target held back is not tried again in
// this delivery, and stays pending: it is not marked, so a later Send of
// the update reaches it. back is the backoff's wait. ok reports that
// others remain and that their retry, after wait, starts within left;
// otherwise none is held back, and the channel gives up.
//
//go:noinline
func (d *delivery) holdSlow(err error, back, left time.Duration) (wait time.Duration, slow int, ok bool) {
	var te *TargetsError
	if !errwalk.As(err, &te) {
		return 0, 0, false
	}
	wait = back
	others := false
	for _, f := range te.Pending {
		if hint, hinted := RetryDelay(f.Err); hinted && hint > left {
			slow++
		} else {
			others = true
			wait = max(wait, hint)
		}
	}
	if slow == 0 || !others || wait > left {
		return 0, slow, false
	}
	for _, f := range te.Pending {
		if hint, hinted := RetryDelay(f.Err); hinted && hint > left {
			d.ledger.hold(f.Target, fmt.Errorf("held back: it asks to wait %v, past what is left of RetryPolicy.MaxElapsed (%v): %w",
				hint.Round(time.Millisecond), max(left, 0).Round(time.Millisecond), f.Err))
		}
	}
	return wait, slow, true
}

// wait waits delay before the next attempt. It returns early, true, when a
// newer update of the incident was delivered on the channel meanwhile, or
// the update was retracted (the next prepare then finds the update
// superseded or retracted), and false when ctx ends.
//
//go:noinline
func (d *delivery) wait(ctx context.Context, delay time.Duration) bool {
	t := time.NewTimer(delay)
	defer t.Stop()
	retracted := d.b.flights.stopping(d.flight)
	for {
		// The channel first, then the check: a newer update delivered
		// before the channel existed closed none, and is seen here.
		changed := d.b.newest.changed(&d.watch)
		if d.op == opSend && d.b.newest.supersedes(&d.watch, &Receipt{}, time.Time{}, d.u, d.place) {
			return true
		}
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		case <-retracted:
			return true // the next prepare stops
		case <-changed:
		}
	}
}

// The emit helpers build an Event only when someone listens, and in a
// frame of their own, off the stack of the delivery's hot path.

//go:noinline
func (d *delivery) emitKind(kind EventKind, attempt int) {
	if d.b.listening() {
		d.emit(Event{Kind: kind, Attempt: attempt})
	}
}

//go:noinline
func (d *delivery) emitRetry(attempt int, delay time.Duration, err error) {
	if d.b.listening() {
		d.emit(Event{Kind: EventRetry, Attempt: attempt, Delay: delay, Err: err})
	}
}

// emitEnd emits the Event of the delivery's end, delivered or failed,
// with the Result's error: targets failed for good, ErrNotRecorded.
//
//go:noinline
func (d *delivery) emitEnd() {
	switch {
	case !d.b.listening():
	case d.done:
		d.emit(Event{Kind: EventDelivered, Attempt: d.res.Attempts, Receipt: d.res.Receipt, Edited: d.res.Edited, Err: d.res.Err})
	case d.failed:
		d.emit(Event{Kind: EventFailed, Attempt: d.res.Attempts, Err: d.res.Err})
	}
}

func (d *delivery) emit(e Event) {
	e.Channel, e.UpdateID, e.IncidentID = d.name, d.u.ID, d.u.IncidentID
	d.b.emit(context.Background(), e)
}

// jitter is the randomization of each wait: ±50%.
const jitter = 0.5

// newBackOff returns the exponential backoff of one delivery. Its intervals
// stop growing at MaxInterval/(1+jitter), so that with jitter no wait
// exceeds MaxInterval (see nextDelay).
func (b *Broadcaster) newBackOff() *backoff.ExponentialBackOff {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = b.retry.InitialInterval
	bo.MaxInterval = time.Duration(float64(b.retry.MaxInterval) / (1 + jitter))
	bo.Multiplier = 2
	bo.RandomizationFactor = jitter
	bo.MaxElapsedTime = 0 // deliver enforces MaxElapsed, RetryAfter waits included
	bo.Reset()
	return bo
}

// nextDelay is the wait before the next attempt after err: the backoff's
// (back), never more than RetryPolicy.MaxInterval, or longer when err asks
// for it with RetryAfter (the platform's word wins over our cap;
// MaxElapsed still bounds it).
func (b *Broadcaster) nextDelay(bo *backoff.ExponentialBackOff, err error) (back, delay time.Duration) {
	back = min(bo.NextBackOff(), b.retry.MaxInterval)
	delay = back
	if d, ok := RetryDelay(err); ok {
		delay = max(delay, d)
	}
	return back, delay
}

// stopped is the error of a delivery ended by the caller's context: it
// matches ctx's error and keeps the last attempt's error for the report,
// even when that matches ctx's error too: a channel's error names the
// targets it did not reach.
func stopped(ctxErr, last error) error {
	if last == nil || last == ctxErr || last.Error() == ctxErr.Error() {
		return ctxErr
	}
	return fmt.Errorf("%w; last attempt: %w", ctxErr, last)
}
