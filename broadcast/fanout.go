package broadcast

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/internal/errwalk"
)

// Fanout is the bookkeeping of one attempt by a channel that delivers to many
// targets (e-mail recipients, webhook endpoints, IRC channels, chat rooms):
// which targets are still to do, which were delivered or failed, now or in
// an earlier attempt, the longest RetryAfter hint, and the one rule for the
// attempt's error. Every adapter with targets uses it, so they all behave
// alike:
//
//	f := broadcast.NewFanout(m, targets)
//	for _, i := range f.Todo() {
//		f.Report(i, post(ctx, targets[i]))
//	}
//	return receipt, f.Err()
//
// A channel whose receipt names each target's post (a message ID per chat
// room) reports a delivery with Posted instead of Report(i, nil), and
// returns Receipt(), which names the posts of earlier attempts too (see
// ExampleFanout).
//
// A Retract, which is given no Message, passes NewFanout the zero Message:
// its Fanout books deletions, and the *TargetsError of Err counts the
// posts not deleted rather than updates not delivered (see TargetsError).
//
// Report (and Posted) record each outcome in the Message's Ledger at once,
// so that an attempt cut short keeps what it achieved. Report, Posted,
// MarkProgress and Progressed may be called from many goroutines; the
// other methods must not run concurrently with them.
type Fanout struct {
	m       Message
	targets []string
	todo    []int

	mu        sync.Mutex
	reported  []bool
	reached   int             // delivered now or earlier
	failed    []TargetFailure // permanently, now or earlier
	pending   []TargetFailure // transiently now
	wait      time.Duration   // the longest RetryAfter among pending
	hinted    bool
	closed    bool      // a pending target's error matches ErrChannelClosed
	delivered []int     // this attempt
	earlier   []bool    // by target: delivered in an earlier attempt; nil if none was
	newer     []int     // targets a newer update of the incident reached first
	posts     []Receipt // this attempt's, by Posted; nil until one is
	deletion  bool      // a Retract's (see retracts): Err's TargetsError says so
}

// NewFanout starts the bookkeeping of m's delivery to targets (Ledger
// targets: readable, unique, no secret in them). It reads the Ledger once
// per target: targets done (see Ledger.Done: delivered earlier, or failed
// permanently in an earlier attempt of this Send) are booked as delivered
// or as failed with their recorded reason, and left out of Todo; a target
// that failed permanently in an earlier Send is in Todo again; a target
// whose mark the Store could not read is left out too, and pending: Err
// makes the attempt transient, and a later attempt reads it again. So is
// a target that a newer update of the incident reached first: the update
// is not posted there after it, and the Result lists it in
// SupersededTargets. Given the zero Message, as a Retract is given none,
// it books the deletion of a post on each target.
func NewFanout(m Message, targets []string) *Fanout {
	f := &Fanout{m: m, targets: targets, reported: make([]bool, len(targets)), deletion: retracts(&m)}
	left := 0 // targets to do
	for i, t := range targets {
		done, failure, unread := ledgerDone(m.Ledger, t)
		switch {
		case unread == errNewerThere:
			// A newer update of the incident reached it first: not
			// posted, and neither pending nor failed.
			f.newer = append(f.newer, i)
			f.reported[i] = true
		case unread != nil:
			// Not to be tried now, nor failed: pending until a later
			// attempt reads its mark.
			f.pending = append(f.pending, TargetFailure{Target: t, Err: unread})
			f.reported[i] = true
		case !done:
			left++ // to do: the targets left unreported below
		case failure != "":
			f.failed = append(f.failed, TargetFailure{Target: t, Err: earlierFailure(failure)})
			f.reported[i] = true
		default:
			f.reached++
			f.reported[i] = true
			if f.earlier == nil {
				f.earlier = make([]bool, len(targets))
			}
			f.earlier[i] = true
		}
	}
	if left > 0 {
		// Made once, of the size of the targets left: a fan-out to
		// thousands would otherwise grow it a dozen times, and a retry
		// that has a few left of thousands would hold room for them all.
		f.todo = make([]int, 0, left)
		for i, r := range f.reported {
			if !r {
				f.todo = append(f.todo, i)
			}
		}
	}
	return f
}

// retracts reports whether m is the zero Message a Retract passes to
// NewFanout: every field zero, which no Send's Message is, not even one
// built by hand without a Ledger, an Attempt, an ID or a Title (it
// carries an update, or a thread).
func retracts(m *Message) bool {
	return reflect.ValueOf(m).Elem().IsZero()
}

// ledgerDone asks l whether target is done. The Broadcaster's Ledger also
// tells a mark it could not read (unread, the Store's error) from one that
// failed; any other Ledger says done with the reason as its failure.
func ledgerDone(l Ledger, target string) (done bool, failure string, unread error) {
	switch l := l.(type) {
	case nil:
		return false, "", nil
	case *storeLedger:
		return l.read(target)
	}
	done, failure = l.Done(target)
	return done, failure, nil
}

// Todo returns the indexes of the targets to deliver to in this attempt,
// in order.
func (f *Fanout) Todo() []int { return f.todo }

// Report records the outcome of delivering to targets[i]: nil is delivered
// (marked in the Ledger), a Permanent error is failed for good (marked, not
// retried), and so is one whose Error method panics; any other error, or
// one wrapping ErrPostGone or ErrNotEditable (or, in an Edit,
// ErrNotSupported: the correction is posted there anew), leaves the target
// for the next attempt. So does one that matches ErrChannelClosed, Permanent or
// not: the channel's Close ended the request, which says nothing of the
// target; it is left unmarked for a later Send, and Err is Permanent, so
// that this Send does not retry a closed channel.
func (f *Fanout) Report(i int, err error) {
	t := f.targets[i]
	if err != nil {
		// Every report and mark of the delivery reads the error's text: one
		// whose Error method panics (a nil pointer in a non-nil error)
		// fails the target for good, as it would a channel.
		err = readable(err, "channel")
	}
	if f.m.Ledger != nil {
		switch {
		case err == nil:
			_ = f.m.Ledger.MarkDelivered(t) // the Broadcaster reports a failed mark
		case IsPermanent(err) && !postAnew(err, f.m.edit) && !channelClosed(err):
			_ = f.m.Ledger.MarkFailed(t, err)
		}
	}
	f.book(i, t, err)
}

// book records the outcome of targets[i], t, in the attempt's bookkeeping.
func (f *Fanout) book(i int, t string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reported[i] = true
	switch {
	case err == nil:
		f.reached++
		if f.delivered == nil {
			f.delivered = make([]int, 0, len(f.todo)) // as todo
		}
		f.delivered = append(f.delivered, i)
	case IsPermanent(err) && !postAnew(err, f.m.edit) && !channelClosed(err):
		f.failed = append(f.failed, TargetFailure{Target: t, Err: err})
	default: // a post gone or not editable is posted anew (see ErrPostGone)
		f.pending = append(f.pending, TargetFailure{Target: t, Err: err})
		f.closed = f.closed || channelClosed(err)
		if d, ok := RetryDelay(err); ok {
			f.wait, f.hinted = max(f.wait, d), true
		}
	}
}

// Posted records that targets[i] got the update as post: a Receipt that
// names the post there (its ID, URL and Meta, as the channel writes them in
// its receipts, keyed so that the posts of different targets do not
// clash). It is Report(i, nil) for a channel whose receipt names each
// target's post: the Ledger keeps the post with the mark
// (Ledger.MarkPosted), so that Receipt names it in the attempt that
// completes the delivery, in this process, after a restart or on another
// instance.
func (f *Fanout) Posted(i int, post Receipt) {
	if f.m.Ledger != nil {
		_ = f.m.Ledger.MarkPosted(f.targets[i], post) // the Broadcaster reports a failed write
	}
	f.mu.Lock()
	if f.posts == nil {
		f.posts = make([]Receipt, len(f.targets))
	}
	f.posts[i] = post
	f.mu.Unlock()
	f.book(i, f.targets[i], nil)
}

// Receipt returns the receipt of every post made so far, in this attempt
// (Posted) and in earlier ones (read from the Ledger), merged in the
// targets' order: its Meta holds every post's Meta, its ID and URL are
// those of the first post with an ID. Channel and Time are left for the
// channel to fill in. Call it once the attempt's posts are reported.
func (f *Fanout) Receipt() Receipt {
	var r Receipt
	f.mu.Lock()
	posts := f.posts
	f.mu.Unlock()
	for i, t := range f.targets {
		var p Receipt
		ok := posts != nil && !posts[i].IsZero()
		if ok {
			p = posts[i]
		} else if f.m.Ledger != nil && f.earlier != nil && f.earlier[i] {
			p, ok = f.m.Ledger.Post(t)
		}
		if ok {
			r.merge(p)
		}
	}
	return r
}

// MarkProgress records in the Ledger that part of the delivery to
// targets[i] is done (a line of a long IRC message, a chunk of a post), so
// that a later attempt, in this process, after a restart or on another
// instance sharing the Store, does not do it again (see Progressed). part
// names the part; name it by its content too where a later attempt may
// split the update otherwise. Progress is no delivery: the target stays to
// do until Report says it is delivered, and progress never shows in a
// Result. A mark the Store fails to write counts for the rest of this
// Send, and is reported as not recorded.
func (f *Fanout) MarkProgress(i int, part string) error {
	if f.m.Ledger == nil {
		return nil
	}
	return f.m.Ledger.MarkDelivered(progressKey(f.targets[i], part))
}

// Progressed reports whether MarkProgress recorded part of targets[i], in
// this attempt or an earlier one. A mark the Store cannot read counts as
// not recorded: the part is done again rather than lost.
func (f *Fanout) Progressed(i int, part string) bool {
	done, failure, unread := ledgerDone(f.m.Ledger, progressKey(f.targets[i], part))
	return done && failure == "" && unread == nil
}

// Superseded returns the indexes of the targets, in order, that a newer
// update of the incident reached first: left out of Todo, and neither done
// earlier nor failed, as the Result's SupersededTargets lists them. A
// channel counting in its receipt the targets done earlier (len(targets)
// minus len(Todo())) leaves these out.
func (f *Fanout) Superseded() []int { return f.newer }

// Delivered returns the indexes of the targets delivered in this attempt,
// in the order Report recorded them.
func (f *Fanout) Delivered() []int { return f.delivered }

// Reached reports whether any target got the update, in this attempt or an
// earlier one.
func (f *Fanout) Reached() bool { return f.reached > 0 }

// Err is the attempt's error, by one rule for every channel:
//
//   - nil when no target is left to retry and some target got the update,
//     now or earlier (targets that failed permanently are in the Ledger,
//     and the Broadcaster reports them in Result.Failures);
//   - a Permanent error saying so when NewFanout was given no target at
//     all (a channel whose list of subscribers is empty): the update
//     reached nobody, and is not to be reported delivered;
//   - a Permanent *TargetsError when the channel's Close ended a target's
//     request (its error matches ErrChannelClosed): it is pending, since
//     the platform did not refuse it, but retrying the closed channel is
//     in vain; the Broadcaster stops, and leaves it for a later Send (see
//     ErrChannelClosed);
//   - a transient *TargetsError when a target failed transiently or was
//     not reached at all (the attempt was cut short), carrying the longest
//     RetryAfter hint; it lists the pending and the failed targets;
//   - a Permanent *TargetsError when every target failed permanently, or,
//     without a Ledger (a Retractor's fan-out, which has no Message, or a
//     Message made by hand without one), when any did: nothing else
//     records it.
//
// A *TargetsError lists its targets in the order of NewFanout's targets,
// whatever the order their reports arrived in. Without a Ledger, the
// *TargetsError of an attempt that did some targets names those too, in
// a field its text leaves out and a copy keeps (a redactor's): a
// Retract's deleted the post there, which the Broadcaster records. The
// *TargetsError of a Retract's Fanout (given the zero Message) says "post
// not deleted on N of M targets" itself, in a field a copy keeps too, so
// that the channel's error, however it is worded around it or redacted,
// reads so as it is.
func (f *Fanout) Err() error {
	if len(f.targets) == 0 {
		return Permanent(errNoTargets)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pending := f.pending
	for _, i := range f.todo {
		if !f.reported[i] {
			pending = append(pending, TargetFailure{Target: f.targets[i], Err: errNotAttempted})
		}
	}
	e := &TargetsError{Total: len(f.targets), Pending: f.inOrder(pending), Failures: f.inOrder(f.failed), deletion: f.deletion}
	if f.m.Ledger == nil && len(f.delivered) > 0 {
		e.done = make([]string, len(f.delivered))
		for j, i := range f.delivered {
			e.done[j] = f.targets[i]
		}
	}
	var err error = e
	switch {
	case f.closed:
		return Permanent(err)
	case len(pending) > 0 && f.hinted:
		return RetryAfter(err, f.wait)
	case len(pending) > 0:
		return err
	case len(f.failed) == 0 || f.reached > 0 && f.m.Ledger != nil:
		return nil
	}
	return Permanent(err)
}

// inOrder returns list sorted in the targets' order: reports from
// concurrent deliveries arrive in any order, and an error must read the
// same for the same outcome. f.mu is held.
func (f *Fanout) inOrder(list []TargetFailure) []TargetFailure {
	if len(list) < 2 {
		return list
	}
	at := make(map[string]int, len(f.targets))
	for i, t := range f.targets {
		at[t] = i
	}
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b TargetFailure) int { return cmp.Compare(at[a.Target], at[b.Target]) })
	return list
}

// errNoTargets is the error of a fan-out given no target.
var errNoTargets = errors.New("no targets to deliver to: the update reached nobody")

// errNotAttempted is the error of a target an attempt ended before trying.
var errNotAttempted = errors.New("not attempted: the attempt ended first")

// TargetFailure is one target's failure: permanent, as a channel recorded it
// through the Ledger, or transient (pending a retry).
type TargetFailure struct {
	Target string // as the channel names it: no secret
	Err    error  // Permanent when the target failed for good
}

// TargetsError is the error of a channel that did not deliver to all of its
// targets: those still pending (failed transiently, or not reached before
// the attempt ended) and those failed permanently. Fanout.Err returns it;
// the Broadcaster returns it, marked Permanent, for a channel that
// delivered to some targets and was refused by others. In the Result of a
// Retract, it lists the targets where the post was not deleted, and says
// so.
type TargetsError struct {
	Total    int             // targets of the channel; 0 when unknown
	Pending  []TargetFailure // not delivered yet; a retry may reach them
	Failures []TargetFailure // failed permanently; not retried by this Send (a later Send tries them)

	// deletion: the error of a Retract, which deletes posts rather
	// than delivers them: set by a Retract's Fanout (see NewFanout),
	// and, in a copy, by deletionError for one made otherwise. A field,
	// so that a copy keeps it (a redactor's).
	deletion bool

	// done: the targets an attempt of a Fanout without a Ledger (a
	// Retractor's) did, which nothing else records: the Broadcaster
	// records where a Retract deleted the post (see
	// delivery.notePartlyDeleted). Its text leaves them out. A field,
	// so that a copy keeps them (a redactor's, which errors.As finds
	// in place of the original).
	done []string

	// show: how Error shows a target's name; nil: as it is (see
	// ShowingTargets).
	show func(string) string
}

// maxNamed bounds the targets an error message names.
const maxNamed = 5

// Error counts the targets not delivered and names the first few with
// their errors, pending ones first. In the Result of a Retract, it counts
// the targets where the post was not deleted.
func (e *TargetsError) Error() string {
	var b strings.Builder
	n := len(e.Pending) + len(e.Failures)
	b.WriteString(e.count())
	named := 0
	for _, list := range [][]TargetFailure{e.Pending, e.Failures} {
		for _, f := range list {
			if named == maxNamed {
				fmt.Fprintf(&b, "; and %d more", n-maxNamed)
				return b.String()
			}
			sep := "; "
			if named == 0 {
				sep = ": "
			}
			name := f.Target
			if e.show != nil {
				name = e.show(name)
			}
			fmt.Fprintf(&b, "%s%s: %s", sep, name, targetErrText(f.Err))
			named++
		}
	}
	return b.String()
}

// targetErrText is the text of a target's error in a TargetsError's: a
// channel's error, whose Error method may panic (a nil pointer in a
// non-nil error), or whose text may quote the value of such a panic, as
// readable says (see readText), where fmt's %v would quote the panic's
// value.
func targetErrText(err error) string {
	if err == nil {
		return "<nil>"
	}
	text, _ := readText(err, "channel")
	return text
}

// count is the start of e's text, which names no target: the targets not
// delivered, or where the post was not deleted, and how many are pending
// and how many failed permanently.
func (e *TargetsError) count() string {
	var b strings.Builder
	n := len(e.Pending) + len(e.Failures)
	switch {
	case e.deletion && e.Total > 0:
		fmt.Fprintf(&b, "post not deleted on %d of %d %s", n, e.Total, plural(e.Total, "target", "targets"))
	case e.deletion:
		fmt.Fprintf(&b, "post not deleted on %d %s", n, plural(n, "target", "targets"))
	case e.Total > 0:
		fmt.Fprintf(&b, "%d of %d %s not delivered", n, e.Total, plural(e.Total, "target", "targets"))
	default:
		fmt.Fprintf(&b, "%d %s not delivered", n, plural(n, "target", "targets"))
	}
	fmt.Fprintf(&b, " (%d pending, %d failed permanently)", len(e.Pending), len(e.Failures))
	return b.String()
}

// ShowingTargets returns a copy of e whose text (Error) shows each
// target's name as show returns it (given the name as e shows it): for a
// redactor, whose copy hides a secret a name holds (see
// redact.ReplaceError). Only the text changes: the copy's fields are e's,
// the targets' names among them, by which the Broadcaster records each
// target's outcome (the targets pending, refused, or where a Retract
// deleted the post), as it does from e.
func (e *TargetsError) ShowingTargets(show func(target string) string) *TargetsError {
	c := *e
	if prev := e.show; prev != nil && show != nil {
		c.show = func(name string) string { return show(prev(name)) }
	} else if show != nil {
		c.show = show
	}
	return &c
}

// targetsFields is a TargetsError without its methods: fmt prints its
// fields.
type targetsFields TargetsError

// Format prints e as fmt would without it, but for a copy made by
// ShowingTargets, whose targets' names it prints under every verb as its
// Error shows them, the fields of %#v and %d among them.
func (e *TargetsError) Format(f fmt.State, verb rune) {
	switch {
	case e == nil && verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, "(*broadcast.TargetsError)(nil)")
	case e == nil:
		_, _ = io.WriteString(f, "<nil>")
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, "&"+fmt.Sprintf("%#v", *e.shown()))
	case strings.ContainsRune("vsxXq", verb):
		fmt.Fprintf(f, fmt.FormatString(f, verb), e.Error())
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), (*targetsFields)(e.shown()))
	}
}

// shown returns e, or, for a copy made by ShowingTargets, a copy of it
// whose targets' names (done ones too) are as its Error shows them.
func (e *TargetsError) shown() *TargetsError {
	if e.show == nil {
		return e
	}
	c := *e
	rename := func(list []TargetFailure) []TargetFailure {
		if list == nil {
			return nil
		}
		out := make([]TargetFailure, len(list))
		for i, f := range list {
			out[i] = TargetFailure{Target: e.show(f.Target), Err: f.Err}
		}
		return out
	}
	c.Pending, c.Failures = rename(e.Pending), rename(e.Failures)
	if e.done != nil {
		c.done = make([]string, len(e.done))
		for i, t := range e.done {
			c.done[i] = e.show(t)
		}
	}
	c.show = nil
	return &c
}

// Is reports whether any target's error matches target, such as
// context.DeadlineExceeded.
func (e *TargetsError) Is(target error) bool {
	for _, list := range [][]TargetFailure{e.Pending, e.Failures} {
		for _, f := range list {
			if errwalk.Is(f.Err, target) {
				return true
			}
		}
	}
	return false
}

// postAnew reports whether err, a target's, says its post is to be posted
// anew (ErrPostGone, ErrNotEditable; in an Edit, ErrNotSupported too: that
// target's platform cannot edit, as a channel's Edit that wraps it as a
// whole says of the channel) rather than failed for good.
func postAnew(err error, edit bool) bool {
	return errwalk.Is(err, ErrPostGone) || errwalk.Is(err, ErrNotEditable) || edit && errwalk.Is(err, ErrNotSupported)
}
