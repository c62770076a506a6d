package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// storeLedger is the Ledger handed to a channel: the Store, seen through one
// update and channel, for the whole of one Send. Marks use a context that is
// not cancelled with the Send, so a delivery that happened is recorded even
// as the caller gives up.
//
// It remembers what this Send marked, so that a mark the Store failed to
// write still counts on the next attempt (no second delivery), and it
// collects read and write failures for the Broadcaster: a mark that cannot
// be read makes the attempt transient; a write failure, or a post of an
// earlier attempt that could not be read in the end, makes the Result's
// error ErrNotRecorded.
type storeLedger struct {
	ctx     context.Context // for writes: ctx without its end (see Broadcaster.run)
	reads   context.Context // the attempt's, for reads; nil before the first (see attempt)
	store   Store
	update  string
	channel string

	mu         sync.Mutex
	marked     map[string]string  // this Send's marks: failure text, "" when delivered
	posts      map[string]Receipt // this Send's posts, and those read from the Store
	delivered  []string
	failed     []TargetFailure
	unread     []TargetFailure  // read failures of the current attempt
	notRead    []TargetFailure  // read failures of the last attempt
	unrecorded []error          // write failures of the whole Send
	lostPosts  map[string]error // posts whose last read failed, by target
	held       *holds           // nil until a target is held back (see holdSlow)
	// of: the delivery of a Send, whose targets a newer update may have
	// reached (see newerThere), or of a correction, listed in the record
	// of those that reached targets so that a Send of an older update
	// finds its posts (see loadOrder); nil for a retraction, which keeps
	// no order. The delivery itself, which holds the Ledger, rather than
	// its update and original: a delivery is no larger for it.
	of *delivery
	// ord is nil until the channel asks about a target or marks one, or
	// the delivery is a Job's later run, a retry of failed targets or a
	// correction of an update a Retract deleted on some targets only (see
	// orderState): a channel that posts once, as a whole, never does, and
	// its delivery carries no more than this pointer for it.
	ord *order
}

// order is what the Ledger of a Send keeps so that an older update of an
// incident is never posted to a target after a newer one: the Store's
// record of the incident's updates that fanned out to targets of the
// channel (see fannedKey), read once per attempt, on the first question
// about a target, and this update added to it before it reaches any.
type order struct {
	// superseded: the targets a newer update of the incident reached
	// first, so that this one was not posted there (see newerThere);
	// reachedEarlier: the targets read delivered by an earlier Send.
	// Both guarded by storeLedger.mu.
	superseded     []string
	reachedEarlier []string
	// resumed: the delivery is a Job's run after its first (see
	// storeLedger.resume); retrying: a Send of an update (a Correct of a
	// correction) delivered earlier, but for targets that failed permanently (see
	// delivery.retryFailed).
	resumed, retrying bool
	// deleted: for a correction, the marks of the posts, of the update
	// corrected and those up its chain, that a Retract deleted on some
	// targets of the channel and not on others (see
	// delivery.partlyDeleted): the targets where it did refuse the
	// correction (see deletedThere).
	deleted []deletedPost
	// deletedLinks: the corrections, the one delivered first, whose
	// records of what they correct lead up its chain to the last of
	// deleted (see delivery.keepDeleted).
	deletedLinks []string

	mu     sync.Mutex // held while the record is read and written
	loaded bool       // the record was read in this attempt
	err    error      // the read's failure in this attempt
	newer  []string   // the record's updates newer than u and not retracted here
	// record, at: the record read in this attempt, and u's place in it,
	// for fixes: the record's corrections of updates newer than u
	// (retracted here or not) that are not retracted here, read once per
	// attempt, when newerThere first needs them (fixesRead; see
	// newerFixes).
	record    map[string]string
	at        int
	fixes     []fixPost
	fixesRead bool
	listed    bool // u is in the record
	// unrecorded: the last failure to add u to the record; nil once a
	// later attempt added it.
	unrecorded error
}

// holds are the targets held back in one delivery (see storeLedger.hold),
// apart from the storeLedger, which every delivery carries.
type holds struct {
	errs    map[string]error // why each target is not to be tried again in this delivery
	skipped []TargetFailure  // held targets of the current attempt that Done told the channel to skip
}

// hold keeps target from being tried again in this delivery: the
// attempts that follow leave it out of Todo, pending with err. Nothing is
// written: a later Send tries it. A target held already keeps its first
// err, which says when and why it was held back.
func (l *storeLedger) hold(target string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = &holds{errs: map[string]error{}}
	}
	if _, ok := l.held.errs[target]; !ok {
		l.held.errs[target] = err
	}
}

// holdFor holds targets back, each with its error, as hold does, until
// release is called: for one call of the channel (see postAnewSome).
// Targets held already stay held. A target without an error (a channel's
// TargetsError made by hand may list one) is held with errHeldPending:
// read takes a held target's error for the sign that it is held.
func (l *storeLedger) holdFor(targets []TargetFailure) (release func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = &holds{errs: map[string]error{}}
	}
	var added []string
	for _, f := range targets {
		if _, ok := l.held.errs[f.Target]; !ok {
			l.held.errs[f.Target] = cmp.Or(f.Err, errHeldPending)
			added = append(added, f.Target)
		}
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, t := range added {
			delete(l.held.errs, t)
		}
	}
}

// errHeldPending is the error of a target held back by holdFor whose
// channel said it is pending without saying why.
var errHeldPending = errors.New("pending: held back from this call of the channel")

// takeSkipped returns, and forgets, the held targets that Done told the
// channel to skip in the attempt that just ended, as a transient
// *TargetsError that also lists the targets whose marks it could not
// read; nil when none was skipped. A Fanout lists them itself; a channel
// that asks Done directly hears "done, failed" and may return nil, though
// they lack the update.
func (l *storeLedger) takeSkipped() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil || l.held.skipped == nil {
		return nil
	}
	skipped := l.held.skipped
	l.held.skipped = nil
	return &TargetsError{Pending: append(skipped, l.unread...)}
}

// heldTargets returns the targets held back in this delivery, with why, in
// the order of their names.
func (l *storeLedger) heldTargets() []TargetFailure {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		return nil
	}
	var out []TargetFailure
	for _, target := range slices.Sorted(maps.Keys(l.held.errs)) {
		out = append(out, TargetFailure{Target: target, Err: l.held.errs[target]})
	}
	return out
}

func (l *storeLedger) init(ctx context.Context, store Store, update, channel string) {
	l.ctx, l.store, l.update, l.channel = ctx, store, update, channel
}

// attempt makes ctx, an attempt's, the context of the Ledger's reads
// until the next attempt: a Store that does not answer holds the channel
// no longer than the attempt (its writes go on without an end: a delivery
// made must be recorded). of is the delivery of a Send, whose targets a
// newer update may have reached (see newerThere), or of a correction (see
// loadOrder); nil for a retraction.
func (l *storeLedger) attempt(ctx context.Context, of *delivery) {
	l.mu.Lock()
	l.reads, l.of = ctx, of
	o := l.ord
	l.mu.Unlock()
	if o != nil {
		o.mu.Lock()
		o.loaded = false
		o.mu.Unlock()
	}
}

// sent returns the update of the delivery of a Send or a correction
// (see attempt), nil for a retraction's, and for a correction's the
// update it corrects ("" for a Send's); l.mu is held.
func (l *storeLedger) sent() (u *Update, corrects string) {
	if l.of == nil {
		return nil, ""
	}
	if l.of.op == opCorrect {
		corrects = l.of.original
	}
	return l.of.u, corrects
}

// resume makes the Ledger that of a Job's run after its first: the
// permanent failures the Store recorded are taken for those of the Job's
// earlier runs, its attempts, and not tried again (see read), where a
// Send tries them again.
func (l *storeLedger) resume() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orderState().resumed = true
}

// retry records that the delivery is a Send of an update (or a Correct
// of a correction) the channel delivered earlier, to try again the targets that failed permanently
// then (see delivery.retryFailed).
func (l *storeLedger) retry() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orderState().retrying = true
}

// deletedPost is the Store's update key of the marks of the targets where
// a Retract deleted a post (see delivery.notePartlyDeleted), and the
// update whose post it is, which an error names.
type deletedPost struct{ key, update string }

// refuseDeleted makes the targets that posts are marked deleted on refuse
// the correction delivered (see deletedThere), from the next question
// about a target on; none for nil. links are the corrections whose
// records lead up the chain to them.
func (l *storeLedger) refuseDeleted(posts []deletedPost, links []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ord != nil || len(posts) > 0 {
		o := l.orderState()
		o.deleted, o.deletedLinks = posts, links
	}
}

// deletedPosts returns the posts that refuseDeleted made the Ledger
// refuse the correction on the targets they are marked deleted on, and
// the corrections whose records lead to them.
func (l *storeLedger) deletedPosts() ([]deletedPost, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ord == nil {
		return nil, nil
	}
	return l.ord.deleted, l.ord.deletedLinks
}

// retrying reports whether retry was called.
func (l *storeLedger) retrying() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ord != nil && l.ord.retrying
}

// reachedBefore reports whether a target the channel asked about was
// delivered by an earlier Send.
func (l *storeLedger) reachedBefore() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ord != nil && len(l.ord.reachedEarlier) > 0
}

// failedSome reports whether a target failed permanently in this Send
// (or Correct), or, for a Job's later run, in its earlier runs.
func (l *storeLedger) failedSome() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.failed) > 0
}

// orderState returns the Ledger's order, made on first use; l.mu is held.
func (l *storeLedger) orderState() *order {
	if l.ord == nil {
		l.ord = &order{}
	}
	return l.ord
}

// readContext returns the context of a read; l.mu is held.
func (l *storeLedger) readContext() context.Context {
	if l.reads == nil {
		return l.ctx
	}
	return l.reads
}

func (l *storeLedger) Done(target string) (bool, string) {
	done, failure, unread := l.read(target)
	if unread == errNewerThere {
		return true, "" // not to be posted, and no failure (see newerThere)
	}
	if unread != nil {
		l.mu.Lock()
		if l.held != nil && l.held.errs[target] != nil {
			l.held.skipped = append(l.held.skipped, TargetFailure{Target: target, Err: unread})
		}
		l.mu.Unlock()
		return true, unread.Error() // not to be tried now; the attempt fails transiently
	}
	failure, _ = readFailure(failure) // the text, as recorded (see recordedFailure)
	return done, failure
}

// read is Done, with a mark that could not be read told apart: unread is
// the Store's error, and the target is pending until a later attempt reads
// its mark (see takeUnread). A target that a newer update of the incident
// reached first is done, with unread errNewerThere: not to be posted.
func (l *storeLedger) read(target string) (done bool, failure string, unread error) {
	if target == "" {
		// "" is the channel's own mark: never a target's, done or not.
		l.mu.Lock()
		if _, ok := l.marked[""]; !ok {
			l.remember("", errEmptyTarget.Error())
			l.failed = append(l.failed, TargetFailure{Target: "", Err: errEmptyTarget})
		}
		l.mu.Unlock()
		return true, errEmptyTarget.Error(), nil
	}
	l.mu.Lock()
	f, ok := l.marked[target]
	var held error
	if l.held != nil {
		held = l.held.errs[target]
	}
	rctx := l.readContext()
	l.mu.Unlock()
	if ok {
		return true, f, nil
	}
	if held != nil {
		return true, "", held // pending, not tried (see hold)
	}
	done, failure, err := l.store.Done(rctx, l.update, l.channel, target)
	if err != nil && isProgress(target) {
		return false, "", nil // not done: done again rather than lost (see Fanout.Progressed)
	}
	if err != nil {
		err = fmt.Errorf("store: read mark of %s: %w", target, err)
		l.mu.Lock()
		l.unread = append(l.unread, TargetFailure{Target: target, Err: err})
		l.mu.Unlock()
		return true, "", err
	}
	if failure != "" {
		// Failed permanently, and not in this Send, whose own marks are
		// in l.marked: a Send of the update tries it again, as it does a
		// channel that failed permanently as a whole, since what failed
		// (a wrong secret, a full mailbox) may have been put right since.
		// Only a Job's run after its first, whose earlier runs' marks are
		// not in l.marked, takes it for theirs: not tried again, and
		// reported, since the update never reached the target.
		l.mu.Lock()
		if l.ord == nil || !l.ord.resumed {
			l.mu.Unlock()
			done, failure = false, ""
		} else {
			l.remember(target, failure)
			l.failed = append(l.failed, TargetFailure{Target: target, Err: earlierFailure(failure)})
			l.mu.Unlock()
		}
	}
	if isProgress(target) {
		return done, failure, nil
	}
	if done {
		if failure == "" {
			l.mu.Lock()
			if o := l.orderState(); !slices.Contains(o.reachedEarlier, target) {
				o.reachedEarlier = append(o.reachedEarlier, target)
			}
			l.mu.Unlock()
		}
		return done, failure, nil
	}
	refused, err := l.deletedThere(target)
	if err == nil && refused != nil {
		text := recordedFailure(refused)
		l.mu.Lock()
		l.remember(target, text)
		l.failed = append(l.failed, TargetFailure{Target: target, Err: refused})
		l.mu.Unlock()
		_ = l.write(target, refused) // a failure is kept for the Result (see notRecorded)
		return true, text, nil
	}
	newer := false
	if err == nil {
		newer, err = l.newerThere(target)
	}
	if err != nil {
		l.mu.Lock()
		l.unread = append(l.unread, TargetFailure{Target: target, Err: err})
		l.mu.Unlock()
		return true, "", err
	}
	if newer {
		l.mu.Lock()
		if o := l.orderState(); !slices.Contains(o.superseded, target) {
			o.superseded = append(o.superseded, target)
		}
		l.mu.Unlock()
		return true, "", errNewerThere
	}
	return false, "", nil
}

// errNewerThere is what read says of a target that a newer update of the
// incident reached first: done, not to be posted.
var errNewerThere = errors.New("a newer update of the incident reached this target first")

// newerThere reports whether a newer update of the incident, sent (not a
// correction) and not retracted on the channel, was marked delivered to
// target, and its post there not deleted by a Retract that failed on
// other targets, or a correction of a newer update (retracted or not) was,
// and its post there not deleted: posted now, this update would come after
// it there. The Thread
// says so of whole deliveries only; this is the same rule for each target
// of a channel that fans out, where a newer update may have reached some
// targets, and this one others. It reads, once per attempt, the Store's
// record of the incident's updates that asked about targets of the channel
// (see loadOrder), and then, only when it lists newer ones, their marks of
// target, and only when none of those is up there, the marks of their
// corrections.
func (l *storeLedger) newerThere(target string) (bool, error) {
	newer, err := l.loadOrder()
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	rctx := l.readContext()
	l.mu.Unlock()
	for _, id := range newer {
		done, failure, err := l.store.Done(rctx, id, l.channel, target)
		if err != nil {
			return false, fmt.Errorf("store: read mark of %s for %s, a newer update of the incident: %w", target, id, err)
		}
		if !done || failure != "" {
			continue
		}
		// Its post there may be deleted, by a Retract that failed on
		// other targets (see delivery.notePartlyDeleted): it is up here
		// unless marked so.
		deleted, failure, err := l.store.Done(rctx, opRetract.markID(id), l.channel, target)
		if err != nil {
			return false, fmt.Errorf("store: read whether the post of %s, a newer update of the incident, was deleted on %s: %w", id, target, err)
		}
		if !deleted || failure != "" {
			return true, nil
		}
	}
	fixes, err := l.newerFixes()
	if err != nil {
		return false, err
	}
	for _, p := range fixes {
		if up, err := l.fixUp(rctx, p, target); err != nil || up {
			return up, err
		}
	}
	return false, nil
}

// newerFixes returns, for newerThere, the corrections in the record read
// in this attempt of updates newer than the one sent (see loadFixes),
// read on the first call of the attempt: not at all by an attempt whose
// targets have a newer update up, or nothing newer in the record.
func (l *storeLedger) newerFixes() ([]fixPost, error) {
	l.mu.Lock()
	u, _ := l.sent()
	o, rctx := l.ord, l.readContext()
	l.mu.Unlock()
	if o == nil || u == nil {
		return nil, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.fixesRead {
		o.fixes, o.fixesRead = nil, true
		if err := l.loadFixes(rctx, o, u); err != nil {
			o.fixesRead = false
			return nil, err
		}
	}
	return o.fixes, nil
}

// fixPost is a correction in the record of the updates that reached
// targets (see loadOrder), of a newer update than the one sent: its ID,
// and the Store's update keys of the marks that say its post was deleted
// on a target (see retractionKeys), its own by its retraction and the
// post's, which an in-place correction shares with the update it edited,
// so that a Retract of that update deletes it too.
type fixPost struct {
	id   string
	keys []string
}

// fixUp reports whether the correction p was marked delivered to target
// and its post there was not deleted (see notePartlyDeleted).
func (l *storeLedger) fixUp(rctx context.Context, p fixPost, target string) (bool, error) {
	done, failure, err := l.store.Done(rctx, p.id, l.channel, target)
	if err != nil {
		return false, fmt.Errorf("store: read mark of %s for %s, a correction of a newer update of the incident: %w", target, p.id, err)
	}
	if !done || failure != "" {
		return false, nil
	}
	for _, key := range p.keys {
		deleted, failure, err := l.store.Done(rctx, key, l.channel, target)
		if err != nil {
			return false, fmt.Errorf("store: read whether the post of %s, a correction of a newer update of the incident, was deleted on %s: %w", p.id, target, err)
		}
		if deleted && failure == "" {
			return false, nil
		}
	}
	return true, nil
}

// deletedThere returns, for a correction, the error with which target
// refuses it, wrapping ErrRetracted, when a Retract of the update
// corrected, or of one up its chain, or of one sharing its post, deleted
// the post there and failed on other targets (see delivery.notePartlyDeleted): posted there, anew or
// in the thread, the correction would show again, where the Retract
// cleared it, an update the operator retracted. nil when none did, or
// the delivery is no such correction's.
func (l *storeLedger) deletedThere(target string) (refused, err error) {
	l.mu.Lock()
	var posts []deletedPost
	if l.ord != nil {
		posts = l.ord.deleted
	}
	rctx := l.readContext()
	l.mu.Unlock()
	for _, p := range posts {
		deleted, failure, err := l.store.Done(rctx, p.key, l.channel, target)
		if err != nil {
			return nil, fmt.Errorf("store: read whether the post of %s was deleted on %s: %w", p.update, target, err)
		}
		if deleted && failure == "" {
			return Permanent(fmt.Errorf("%w: a Retract deleted the post of update %s on this target: there is no post to correct", ErrRetracted, p.update)), nil
		}
	}
	return nil, nil
}

// fannedKey is the Store's update key of the record of the updates of
// incident that reached, or were about to reach, targets of a channel:
// its receipt's Meta holds each update's ID and its Time (RFC 3339, in
// nanoseconds), then a space and the update's place in the record (1 for
// the first listed), which orders updates of equal Time as their Sends
// came (see fannedEntry); and each correction's ID and fannedFix followed
// by the ID of the update it corrects. Like a post's, a key no update has.
func fannedKey(incident string) string { return "\x00fanned out\x00" + incident }

// fannedFix begins the entry of a correction in the record fannedKey
// names; it reads as no Time, so that versions that do not know it leave
// the entry out.
const fannedFix = "correction of "

// fannedEntry reads an entry of the record fannedKey names: the update's
// Time, and its place in the record, 0 when the entry has none (written
// before places were kept). ok is false for an entry that does not read.
func fannedEntry(v string) (t time.Time, place int, ok bool) {
	stamp, n, _ := strings.Cut(v, " ")
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return time.Time{}, 0, false
	}
	if n != "" {
		if place, err = strconv.Atoi(n); err != nil || place < 0 {
			place = 0
		}
	}
	return t, place, true
}

// fannedRoot returns the update the correction whose entry of record is
// v corrects, or, when that is a correction too, the update at the start
// of their chain, in at most maxCorrectionChain steps up it; ok is false
// when v is no correction's entry, or the chain leaves the record or is
// longer.
func fannedRoot(record map[string]string, v string) (root string, ok bool) {
	for range maxCorrectionChain {
		if root, ok = strings.CutPrefix(v, fannedFix); !ok {
			return "", false
		}
		if v, ok = record[root]; !ok {
			return "", false
		}
		if !strings.HasPrefix(v, fannedFix) {
			return root, true
		}
	}
	return "", false
}

// newerEntry reports whether an entry of the record, of Time t and place,
// is newer than the update sent, of Time sent and place at (0 when it is
// not listed yet, and then listed after every entry): of equal Times, the
// one listed later; an entry without a place is not.
func newerEntry(t time.Time, place int, sent time.Time, at int) bool {
	if !t.Equal(sent) {
		return t.After(sent)
	}
	return at > 0 && place > at
}

// loadOrder reads, on the attempt's first question about a target, the
// record of the incident's updates that fanned out on the channel, and
// returns those newer than the update sent (by Time; of equal Times, the
// one listed later in the record, which lists updates as their first
// Sends came, and so every one listed when the update sent is not yet),
// leaving out those retracted on the
// channel: their posts are deleted, and supersede nothing (the
// corrections of newer updates, retracted or not, newerThere reads when
// it needs them, see newerFixes: a correction's post stays when its
// original's is deleted). It then adds the
// update sent to the record, before the channel posts to any target, so
// that an older update sent later, after a restart or by another instance,
// finds it. A correction's delivery only adds the correction, once, and
// returns none: a correction keeps no order, but its posts are up where it
// reached targets, and newerThere reads them. A record that cannot be read
// makes the targets pending, as a
// mark that cannot be read does (for a correction, it is reported as not
// recorded); one that cannot be written is reported
// as not recorded (ErrNotRecorded), and the delivery goes on.
func (l *storeLedger) loadOrder() ([]string, error) {
	l.mu.Lock()
	u, corrects := l.sent()
	rctx := l.readContext()
	if u == nil || u.IncidentID == "" {
		l.mu.Unlock()
		return nil, nil
	}
	o := l.orderState()
	l.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.loaded || corrects != "" && o.listed {
		return o.newer, o.err
	}
	o.loaded, o.newer, o.err = true, nil, nil
	o.record, o.at, o.fixes, o.fixesRead = nil, 0, nil, false
	key := fannedKey(u.IncidentID)
	r, _, err := l.store.Receipt(rctx, key, l.channel)
	if err != nil && corrects != "" {
		// A correction keeps no order: it goes on, not recorded.
		o.unrecorded = fmt.Errorf("store: record that %s reaches targets of %s: read the record: %w", u.ID, l.channel, err)
		return nil, nil
	}
	if err != nil {
		o.err = fmt.Errorf("store: read which updates of the incident reached targets of %s: %w", l.channel, err)
		return nil, o.err
	}
	at, last := 0, 0
	if v, ok := r.Meta[u.ID]; ok {
		_, at, _ = fannedEntry(v)
	}
	for _, id := range slices.Sorted(maps.Keys(r.Meta)) {
		t, place, ok := fannedEntry(r.Meta[id])
		last = max(last, place)
		if corrects != "" || id == u.ID || !ok || !newerEntry(t, place, u.Time, at) {
			continue
		}
		done, failure, err := l.store.Done(rctx, opRetract.markID(id), l.channel, "")
		if err != nil {
			o.err = fmt.Errorf("store: read whether %s, a newer update of the incident, was retracted on %s: %w", id, l.channel, err)
			return nil, o.err
		}
		if !done || failure != "" {
			o.newer = append(o.newer, id)
		}
	}
	if corrects == "" {
		o.record, o.at = r.Meta, at
	}
	if _, ok := r.Meta[u.ID]; !ok && !o.listed {
		r.Meta = maps.Clone(r.Meta)
		if r.Meta == nil {
			r.Meta = map[string]string{}
		}
		if corrects != "" {
			r.Meta[u.ID] = fannedFix + corrects
		} else {
			r.Meta[u.ID] = u.Time.UTC().Format(time.RFC3339Nano) + " " + strconv.Itoa(max(last, len(r.Meta))+1)
		}
		r.Channel, r.UpdateID, r.Time = l.channel, "", time.Now().UTC().Round(0)
		o.unrecorded = l.store.SaveReceipt(l.ctx, postsIncident+key, key, r)
		if o.unrecorded != nil {
			o.unrecorded = fmt.Errorf("store: record that %s reaches targets of %s: %w", u.ID, l.channel, o.unrecorded)
			return o.newer, nil
		}
	}
	o.listed, o.unrecorded = true, nil
	return o.newer, nil
}

// loadFixes sets o.fixes, for newerFixes, to the corrections in the
// record loadOrder read that correct an update newer than u (o.at its
// place there), or one up a chain of corrections from such an update, and
// are not retracted on the channel as a whole, by their own Retract or,
// sharing its post, by that of the update they edited. A record without
// such corrections costs no read. o.mu is held.
func (l *storeLedger) loadFixes(rctx context.Context, o *order, u *Update) error {
	record, at := o.record, o.at
	for _, id := range slices.Sorted(maps.Keys(record)) {
		root, ok := fannedRoot(record, record[id])
		if !ok || root == u.ID {
			continue
		}
		t, place, ok := fannedEntry(record[root])
		if !ok || !newerEntry(t, place, u.Time, at) {
			continue
		}
		post, ok, err := l.store.Receipt(rctx, id, l.channel)
		if err != nil {
			return fmt.Errorf("store: read the post of %s, a correction of a newer update of the incident: %w", id, err)
		}
		if !ok || post.UpdateID == "" {
			post = Receipt{UpdateID: id}
		}
		keys := retractionKeys(&post)
		p := fixPost{id: id, keys: slices.DeleteFunc(keys[:2], func(k string) bool { return k == "" })}
		gone := false
		for _, key := range p.keys {
			done, failure, err := l.store.Done(rctx, key, l.channel, "")
			if err != nil {
				return fmt.Errorf("store: read whether %s, a correction of a newer update of the incident, was retracted on %s: %w", id, l.channel, err)
			}
			if done && failure == "" {
				gone = true
				break
			}
		}
		if !gone {
			o.fixes = append(o.fixes, p)
		}
	}
	return nil
}

func (l *storeLedger) MarkDelivered(target string) error {
	if target == "" {
		return errEmptyTarget
	}
	if !isProgress(target) {
		// A channel that did not ask Done first: the update goes on the
		// record all the same (see loadOrder), before the mark. A crash
		// after a post and before this loses the entry, but the mark too,
		// and the record keeps an older update only from targets that a
		// newer one is marked delivered to: writing it before every
		// channel's call would cost each single-post delivery a read and a
		// write of the Store for nothing.
		_, _ = l.loadOrder()
	}
	l.mu.Lock()
	if f, ok := l.marked[target]; (!ok || f != "") && !isProgress(target) {
		// Once: a target marked again reached no one new (see reachedCount).
		l.delivered = append(l.delivered, target)
	}
	l.remember(target, "")
	l.mu.Unlock()
	return l.write(target, nil)
}

func (l *storeLedger) MarkFailed(target string, err error) error {
	if target == "" {
		return errEmptyTarget
	}
	// Read before the lock is taken: an error whose Error method panics
	// (a nil pointer in a non-nil error) would leave it held, and the
	// Send waiting for it for ever.
	err = readable(cmp.Or(err, errFailedUnknown), "channel")
	text := recordedFailure(err)
	l.mu.Lock()
	l.remember(target, text)
	l.failed = append(l.failed, TargetFailure{Target: target, Err: err})
	l.mu.Unlock()
	return l.write(target, err)
}

// MarkPosted marks target delivered, and then saves post in the Store as
// a receipt of its own, under keys no update or incident can have (see
// postKey): the mark first, since it is what keeps the target from a second
// delivery, while a post lost in a crash between the two only leaves the
// receipt without it. A post the Store failed to save is kept for this
// Send and reported as not recorded, like a mark.
func (l *storeLedger) MarkPosted(target string, post Receipt) error {
	if target == "" {
		return errEmptyTarget
	}
	post = post.clone()
	post.Channel = l.channel
	l.mu.Lock()
	if l.posts == nil {
		l.posts = map[string]Receipt{}
	}
	l.posts[target] = post
	l.mu.Unlock()
	markErr := l.MarkDelivered(target)
	key := postKey(l.update, target)
	err := l.store.SaveReceipt(l.ctx, postsIncident+key, key, post)
	if err != nil {
		err = fmt.Errorf("store: save post of %s: %w", target, err)
		l.notRecorded(err)
	}
	return errors.Join(markErr, err)
}

// Post returns target's post: this Send's, or the one an earlier Send
// saved. A post that cannot be read is left out, and reported as not
// recorded rather than failing the attempt: the target has the update,
// and a retry could be stopped by a newer update (Superseded) before the
// delivery's own receipt is saved.
func (l *storeLedger) Post(target string) (Receipt, bool) {
	l.mu.Lock()
	p, ok := l.posts[target]
	rctx := l.readContext()
	l.mu.Unlock()
	if ok {
		return p.clone(), true
	}
	p, ok, err := l.store.Receipt(rctx, postKey(l.update, target), l.channel)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		if l.lostPosts == nil {
			l.lostPosts = map[string]error{}
		}
		l.lostPosts[target] = fmt.Errorf("store: read post of %s, which the receipt lacks: %w", target, err)
		return Receipt{}, false
	}
	delete(l.lostPosts, target) // a later read found it
	if !ok {
		return Receipt{}, false
	}
	if l.posts == nil {
		l.posts = map[string]Receipt{}
	}
	l.posts[target] = p
	return p.clone(), true
}

// postsIncident, followed by the post's key, is the incident under which
// the Store keeps a post of MarkPosted: not a real incident's (IDs take no
// control characters), so that saving one never makes it a thread's post,
// and one of its own, so that no two saves write the same thread.
const postsIncident = "\x00posts"

// sentIncident, sentKey and sentChannel are the Store's keys of the record
// of an update's Time that firstSent writes: like a post's, under an
// incident and an update no real update has (IDs take no control
// characters), one incident per update, so that no thread is shared.
const (
	sentIncident = "\x00sent\x00"
	sentChannel  = "\x00sent"
)

func sentKey(updateID string) string { return sentIncident + updateID }

// The sent mark of an update is its mark (updateID, sentChannel, sentChannel),
// written at its first Send before any attempt (see markSent): under the
// update's own key, with its channels' receipts and marks, which a
// Store's Prune removes together or not at all (see MemoryStore.Prune).
// While it is kept, so is every record of the update written since:
// a channel without a receipt, a delivered mark, an attempt of unknown
// outcome or a record of targets reached (partialTarget) never posted it
// (see delivery.unposted).

// partialTarget is the mark, of an update on a channel, that says a
// delivery reached some of the channel's targets (see keepPartial),
// written before the record of those targets, under another key
// (partialKey), which a Prune may remove without the update's: a Retract
// that finds the mark and not the record says the posts cannot be found.
// Like attemptedTarget, no channel's target.
const partialTarget = "\x00partial"

// postKey is the Store's update key of target's post for the update (or
// correction, or retraction) whose marks are under update. Update IDs take
// no control characters, and the target's length comes first, so no two
// targets or updates share a key, nor does any update's own.
func postKey(update, target string) string {
	return "\x00post\x00" + strconv.Itoa(len(target)) + "\x00" + target + "\x00" + update
}

// progressKey is the Ledger target under which Fanout.MarkProgress records
// part of target's delivery: no target's (targets take no control
// characters), and the target's length first, so that no two targets'
// parts share a key.
func progressKey(target, part string) string {
	return progressPrefix + strconv.Itoa(len(target)) + "\x00" + target + "\x00" + part
}

const progressPrefix = "\x00progress\x00"

// isProgress reports whether a Ledger target is a progressKey: marked and
// read through the Store like a target, but no target: never in a
// Result, nor a reason to fail an attempt when it cannot be read.
func isProgress(target string) bool { return strings.HasPrefix(target, progressPrefix) }

// markName names a Ledger target in an error: a progressKey as the part
// and its target, in words, without the control characters of the key.
func markName(target string) string {
	rest, ok := strings.CutPrefix(target, progressPrefix)
	if !ok {
		return target
	}
	n, rest, _ := strings.Cut(rest, "\x00")
	if size, err := strconv.Atoi(n); err == nil && size < len(rest) {
		return fmt.Sprintf("progress %q of %s", rest[size+1:], rest[:size])
	}
	return strconv.Quote(target) // not made by progressKey
}

// partialKey is the Store's update key of the record of a delivery of
// updateID that reached some of a channel's targets and not the others
// yet (see delivery.keepPartial): like a post's, a key no update has.
func partialKey(updateID string) string { return "\x00partial\x00" + updateID }

// reached returns how many targets this Send marked delivered, and the
// posts it knows of (this Send's, and those read from the Store), in the
// order of their targets.
func (l *storeLedger) reached() (n int, posts []Receipt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.posts) > 0 {
		for _, target := range slices.Sorted(maps.Keys(l.posts)) {
			posts = append(posts, l.posts[target])
		}
	}
	return len(l.delivered), posts
}

// supersededOnly reports whether the update reached no target of the
// channel, in this Send or an earlier one, and was kept from some because
// a newer update reached them first: the channel is then superseded as a
// whole, as when the Thread says a newer update is out.
func (l *storeLedger) supersededOnly() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.ord
	return o != nil && len(o.superseded) > 0 && len(l.delivered) == 0 && len(o.reachedEarlier) == 0 && len(l.posts) == 0
}

// supersededTargets returns the targets a newer update reached first.
func (l *storeLedger) supersededTargets() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ord == nil {
		return nil
	}
	return l.ord.superseded
}

// reachedCount returns how many targets this Send marked delivered: an
// attempt after which it grew reached targets no earlier one had.
func (l *storeLedger) reachedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.delivered)
}

// notRecorded reports a write to the Store that failed, for the Result's
// ErrNotRecorded.
func (l *storeLedger) notRecorded(err error) {
	l.mu.Lock()
	l.unrecorded = append(l.unrecorded, err)
	l.mu.Unlock()
}

// knownTargets returns the targets this Send marked, delivered or
// failed, and those it read delivered by an earlier Send, in the order of
// their names: no progress marks.
func (l *storeLedger) knownTargets() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for target := range l.marked {
		if target != "" && !isProgress(target) {
			out = append(out, target)
		}
	}
	if l.ord != nil {
		for _, target := range l.ord.reachedEarlier {
			if _, ok := l.marked[target]; !ok {
				out = append(out, target)
			}
		}
	}
	slices.Sort(out)
	return out
}

// remember keeps a mark of this Send; l.mu is held.
func (l *storeLedger) remember(target, failure string) {
	if l.marked == nil {
		l.marked = make(map[string]string) // most channels never mark a target
	}
	l.marked[target] = failure
}

// write marks target in the Store: delivered when failure is nil,
// failed with recordedFailure's text otherwise.
func (l *storeLedger) write(target string, failure error) error {
	if failure != nil {
		failure = &recordedError{failure, recordedFailure(failure)}
	}
	err := l.store.Mark(l.ctx, l.update, l.channel, target, failure)
	if err != nil {
		err = fmt.Errorf("store: mark %s: %w", markName(target), err)
		l.notRecorded(err)
	}
	return err
}

// takeUnread returns the read failures of the attempt that just ended and
// forgets them; their targets are pending until a later attempt reads them
// (see pendingUnread).
func (l *storeLedger) takeUnread() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, f := range l.unread {
		errs = append(errs, f.Err)
	}
	l.notRead, l.unread = l.unread, nil
	return errors.Join(errs...)
}

// pendingUnread returns the targets whose marks the last attempt could not
// read, with the Store's error: it did not try them, and the next attempt
// will.
func (l *storeLedger) pendingUnread() []TargetFailure {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.notRead
}

// outcome returns the targets marked delivered and failed during this Send,
// and the marks and posts the Store failed to write, and the posts of
// earlier attempts it failed to read the last time they were asked for.
func (l *storeLedger) outcome() (delivered []string, failed []TargetFailure, unrecorded error) {
	l.mu.Lock()
	o := l.ord
	l.mu.Unlock()
	var ordErr error
	if o != nil {
		o.mu.Lock()
		ordErr = o.unrecorded
		o.mu.Unlock()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	errs := l.unrecorded
	if ordErr != nil {
		errs = append(slices.Clip(errs), ordErr)
	}
	if len(l.lostPosts) > 0 { // the iterators cost allocations even for no posts
		for _, target := range slices.Sorted(maps.Keys(l.lostPosts)) {
			errs = append(errs, l.lostPosts[target])
		}
	}
	return l.delivered, l.failed, errors.Join(errs...)
}
