package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/internal/earlier"
	"github.com/outagecast/outagecast/internal/errwalk"
	"github.com/outagecast/outagecast/internal/nilctx"
	"github.com/outagecast/outagecast/internal/notmade"
)

// Sentinel errors. Their text starts with "broadcast: ".
var (
	// ErrInvalidUpdate is wrapped by every error of Update.Validate.
	ErrInvalidUpdate = errors.New("broadcast: invalid update")
	// ErrNoChannels is returned by New without channels.
	ErrNoChannels = errors.New("broadcast: no channels")
	// ErrDuplicateChannel is returned by New when two channels share a name.
	ErrDuplicateChannel = errors.New("broadcast: duplicate channel name")
	// ErrClosed is returned by Send, Correct, Retract, Preview and RunJob
	// after Close, and by Check for every channel.
	ErrClosed = errors.New("broadcast: broadcaster closed")
	// ErrNotRecorded is wrapped by the error of a channel that delivered
	// (to the channel, or to some of its targets) when the Store could not
	// record it. When nothing else is left to do, the error is Permanent:
	// the channel is not retried (by Send, nor by a RunJob caller), and a
	// later Send of the same update may deliver it again. When targets are
	// still pending, it is joined to their transient error, so that they
	// are retried; a target whose mark was lost may then get it twice.
	ErrNotRecorded = errors.New("broadcast: delivered, but the Store could not record it")
	// ErrNotSupported is wrapped by the Result error of a channel that
	// cannot do what was asked: Retract on a platform without deletion,
	// Check on a channel that is not a Checker. An Edit, Retract or
	// Preview whose error wraps it (and is no *TargetsError) is taken
	// for the channel's lack of the method (see Channel): Correct posts
	// the correction anew, Retract fails for good without a retry, and
	// Preview leaves the channel out. A target of an Edit whose error wraps
	// it (its platform cannot edit) gets the correction posted anew too,
	// as for ErrNotEditable.
	ErrNotSupported = errors.New("broadcast: not supported by this channel")
	// ErrPostGone is wrapped by a channel's error when the post it was to
	// edit or delete no longer exists on the platform (someone deleted it
	// by hand). Broadcaster.Correct then posts the correction anew, in the
	// incident's thread, as on a channel that cannot edit; Retract counts
	// the post as deleted. A Fanout leaves a target whose error wraps it
	// unmarked and pending, so that the Send that follows reaches it (and
	// only it and the other targets not done: on a channel with many
	// targets, those that never had the original get the correction too).
	// A Send's error must not wrap it: such an error fails for good.
	ErrPostGone = errors.New("broadcast: the post is gone from the platform")
	// ErrNotEditable is wrapped by an Editor's error when the platform
	// refuses to edit a post that is still there: too old to edit (an
	// edit window closed), or in an archived thread. Broadcaster.Correct
	// then posts the correction anew, in the incident's thread, as for
	// ErrPostGone; the original post stays as it was, and a Retract of
	// the original still deletes it. A Fanout leaves a target whose error
	// wraps it unmarked and pending likewise. Only an Edit's error may wrap
	// it: a Send's or a Retract's fails for good.
	ErrNotEditable = errors.New("broadcast: the platform no longer lets this post be edited")
	// ErrRetracted is wrapped by the Result error of a channel where the
	// update was retracted (see Broadcaster.Retract): a Send of it that
	// the retraction kept from posting there, and a Correct of it, which
	// is refused where its post was deleted or kept from being posted:
	// there is no post to correct. It is permanent; send a new update
	// instead.
	ErrRetracted = errors.New("broadcast: retracted")
	// ErrBusy is wrapped by the error of a delivery (a Send's channel, or
	// a RunJob) that never called its channel because its context ended
	// while it waited for the channel: for another delivery of the same
	// update, another attempt of an update of the same incident, or
	// Options.Lock (held by another instance, or not answering: its
	// database away). The channel was not tried: a RunJob caller may run
	// the Job again without counting an attempt. The error matches the
	// context's too, and says what it waited for.
	ErrBusy = errors.New("broadcast: not tried: the context ended while waiting for the channel")
)

// ErrChannelClosed is matched by the error of a channel's call that the
// channel's own Close ended, or that was made after it: every adapter's
// ErrClosed matches it (see ClosedError), and so does the error that
// wraps it. Shutting a channel down is no refusal by the platform. The
// adapters mark the error Permanent, since every retry against a closed
// channel fails alike, and the Broadcaster stops retrying the channel at
// once; but it records nothing failed for good: a Fanout leaves a target
// whose error matches it unmarked and pending (see Fanout.Report), and
// the Result's error is not Permanent, so that a later Send, or the
// RunJob caller's next run (another instance, a restart), delivers the
// update there, and only where it is missing.
var ErrChannelClosed = errors.New("broadcast: channel closed")

// ClosedError returns a new error with text that matches ErrChannelClosed
// (errors.Is): the sentinel a channel's calls fail with once its Close
// ended them, made so:
//
//	var ErrClosed = broadcast.ClosedError("webhook: channel closed")
//
// An error that wraps it matches it, as any sentinel, and
// ErrChannelClosed too.
func ClosedError(text string) error { return &closedError{text} }

type closedError struct{ text string }

func (e *closedError) Error() string { return e.text }

// Is matches ErrChannelClosed.
func (e *closedError) Is(target error) bool { return target == ErrChannelClosed }

// closedRun is the Result error of a delivery that a channel's Close cut
// short (see ErrChannelClosed): the channel's error without its Permanent
// mark, which stopped the retries of this process, so that a RunJob
// caller runs it again. errors.Is and errors.As find in it what the
// channel's error holds, but a Permanent mark.
type closedRun struct{ err error }

func (e *closedRun) Error() string { return e.err.Error() }

func (e *closedRun) Is(target error) bool { return errwalk.Is(e.err, target) }

func (e *closedRun) As(target any) bool {
	if _, ok := target.(**permanentError); ok {
		return false
	}
	return errwalk.As(e.err, target)
}

// channelClosed reports whether err says the channel was closed (see
// ErrChannelClosed).
func channelClosed(err error) bool { return errwalk.Is(err, ErrChannelClosed) }

// NotTried reports whether err, the Result error of a RunJob, is that of
// a run that never called the channel: it waited for it until its context
// ended (ErrBusy), found the Broadcaster closed (ErrClosed), or waited for
// the retraction under way of a newer post of the incident (see RunJob).
// What an earlier run reported of the Job's targets still stands; the
// caller runs it again without counting an attempt.
func NotTried(err error) bool {
	return errwalk.Is(err, ErrBusy) || errwalk.Is(err, ErrClosed) || errwalk.As(err, new(*retractionWait))
}

// busy returns err, the error of a wait for the channel, as ErrBusy when it
// is ctx's error: the wait ended with the context. Any other error (a Lock
// that failed for a reason of its own, even as ctx ended) is returned as
// is.
func busy(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr == nil || !errwalk.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrBusy, err)
}

// ErrAttemptTimeout is matched by the error of an attempt that ran out of
// Options.AttemptTimeout. Such an attempt is retried, as the channel's own
// error says: errors.As still finds in it what the channel returned (a
// RetryAfter hint, a *TargetsError; not a Permanent mark), while errors.Is
// does not match context.DeadlineExceeded, which is the caller's deadline;
// it matches ErrChannelClosed when the channel's error does, and then the
// attempt is not retried (see ErrChannelClosed).
var ErrAttemptTimeout = errors.New("broadcast: attempt timed out")

// attemptTimeoutError is the error of an attempt AttemptTimeout ended.
type attemptTimeoutError struct {
	after time.Duration
	err   error // the channel's
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("%v after %v: %v", ErrAttemptTimeout, e.after, e.err)
}

// Is matches ErrAttemptTimeout, and ErrChannelClosed when the channel's
// error does (its Close ended the attempt too: no retry reaches a closed
// channel); not the channel's other errors: it matches the context's
// deadline, which is not the caller's.
func (e *attemptTimeoutError) Is(target error) bool {
	return target == ErrAttemptTimeout || target == ErrChannelClosed && channelClosed(e.err)
}

// As finds what the channel's error holds, except a Permanent mark: the
// channel may have marked the error our deadline caused, and such an
// attempt is retried all the same.
func (e *attemptTimeoutError) As(target any) bool {
	if _, ok := target.(**permanentError); ok {
		return false
	}
	return errwalk.As(e.err, target)
}

// unreadError is the error of an attempt that could not read the marks of
// some targets, and so did not try them: transient, since the next attempt
// tries them once the Store reads, whatever the channel said of the
// others. It is the Store's error (Unwrap), and errors.As finds in it what
// the channel's error holds (its RetryAfter, its TargetsError) but a
// Permanent mark; errors.Is matches ErrChannelClosed when the channel's
// error does (see ErrChannelClosed), and the Store's otherwise.
type unreadError struct {
	unread error // the Store's
	err    error // the channel's
}

func (e *unreadError) Error() string { return e.unread.Error() + "; and " + e.err.Error() }

func (e *unreadError) Unwrap() error { return e.unread }

// Is matches ErrChannelClosed when the channel's error does: the targets
// whose marks were read, cut by the channel's Close, are no reason to
// retry a closed channel, and those not read stay pending all the same.
func (e *unreadError) Is(target error) bool {
	return target == ErrChannelClosed && channelClosed(e.err)
}

func (e *unreadError) As(target any) bool {
	if _, ok := target.(**permanentError); ok {
		return false
	}
	return errwalk.As(e.err, target)
}

// Permanent marks err as not worth retrying: the platform rejected the
// message, the credentials are wrong, the configuration is bad. Permanent(nil)
// is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
// It, RetryDelay, IsUncertain, MarkAs, MarkPartAs, NotTried and
// FieldErrors read err's tree as errors.As does, but never panic on a
// channel's bad error: a part whose methods panic (a typed nil in an
// error, such as (*net.OpError)(nil), or one with a nil field its Unwrap
// reads) holds nothing they find, and they go on past it; a typed nil is
// never found.
func IsPermanent(err error) bool {
	var p *permanentError
	return errwalk.As(err, &p)
}

// RetryAfter marks err as transient with a hint: retry no sooner than d (an
// HTTP 429 with Retry-After, a rate-limit reset). RetryAfter(nil, d) is nil.
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &retryAfterError{err: err, d: max(d, 0)}
}

type retryAfterError struct {
	err error
	d   time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// RetryDelay returns the wait err asks for through RetryAfter, if any.
func RetryDelay(err error) (time.Duration, bool) {
	var r *retryAfterError
	if errwalk.As(err, &r) {
		return r.d, true
	}
	return 0, false
}

// Uncertain marks err, a failed attempt's error, as one after which the
// platform may have carried the attempt out: a server error (a 5xx) whose
// answer asks to wait (RetryAfter), after which the post may exist. A
// Permanent or RetryAfter error otherwise says the platform posted
// nothing (see Channel); marked Uncertain, it is retried as its marks say,
// and a later run counts its attempt as one whose outcome is unknown (see
// Message.Attempt): it looks for the post before posting again. An error
// without those marks needs none. Uncertain(nil) is nil.
func Uncertain(err error) error {
	if err == nil {
		return nil
	}
	return &uncertainError{err}
}

type uncertainError struct{ err error }

func (e *uncertainError) Error() string { return e.err.Error() }
func (e *uncertainError) Unwrap() error { return e.err }

// IsUncertain reports whether err, or an error it wraps, was marked
// Uncertain.
func IsUncertain(err error) bool {
	var u *uncertainError
	return errwalk.As(err, &u)
}

// DeliveryError is one channel's failure to deliver an update, after all
// its attempts. Send joins one per failed channel.
type DeliveryError struct {
	Channel  string // the channel's name
	Attempts int    // attempts made; 0 when none could be (ctx ended first, the channel cannot do it)
	Err      error  // the last attempt's error, or why none was made
}

// Error names the channel, the attempts and the last error.
func (e *DeliveryError) Error() string {
	if e.Attempts == 0 {
		return fmt.Sprintf("broadcast: channel %s failed without an attempt: %v", e.Channel, e.Err)
	}
	return fmt.Sprintf("broadcast: channel %s failed after %d %s: %v",
		e.Channel, e.Attempts, plural(e.Attempts, "attempt", "attempts"), e.Err)
}

// Unwrap returns the last attempt's error.
func (e *DeliveryError) Unwrap() error { return e.Err }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// MarkAs returns err with the marks like carries, as many as it has:
// Uncertain, RetryAfter with like's wait, and Permanent. Unmarked, like
// leaves err as it is. Code that words an error its own way, or rewrites
// its text (a redactor), keeps the retry decision of the error it
// replaces so:
//
//	return broadcast.MarkAs(fmt.Errorf("mastodon: %s: %w", op, apiErr), classified)
//
// A marked like whose outcome is unknown in part (a *TargetsError with a
// target that timed out, marked RetryAfter for another's rate limit; a
// join of a refusal and a timeout), which the Broadcaster does not take
// for a definite answer, makes err Uncertain too: err no longer holds
// what told it.
func MarkAs(err, like error) error { return markAs(err, like, true) }

// MarkPartAs is MarkAs for err, the rewording of like, a part of a whole
// that is reworded too and still gives its parts (errors.As finds them:
// a join's parts, a failed target's error of a *TargetsError, as a
// redactor keeps them): it gives err the marks like carries, but not the
// Uncertain mark of an outcome unknown in part, which MarkAs gives the
// whole. A part inside a Permanent or RetryAfter mark is judged by that
// mark, not alone, so that mark on the part would make the whole
// Uncertain where the original was not; a failed target is judged by its
// own Uncertain mark only. A pending target's error of a *TargetsError is
// judged alone: give it its marks with MarkAs.
func MarkPartAs(err, like error) error { return markAs(err, like, false) }

// markAs is MarkAs, with the Uncertain mark of an outcome unknown in
// part only for whole.
func markAs(err, like error, whole bool) error {
	if err == nil {
		return nil
	}
	d, waits := RetryDelay(like)
	permanent := IsPermanent(like)
	if IsUncertain(like) || whole && (waits || permanent) && !definite(like) {
		err = Uncertain(err)
	}
	if waits {
		err = RetryAfter(err, d)
	}
	if permanent {
		err = Permanent(err)
	}
	return err
}

// PreviewError is one channel's failure to render an update in Preview,
// which joins one per channel that failed: errors.As on each part gives
// the channel by its name, which the text alone may not tell apart (a
// name may hold ": ").
type PreviewError struct {
	Channel string // the channel's name
	Err     error  // why its preview failed
}

// Error returns "broadcast: preview Channel: Err".
func (e *PreviewError) Error() string {
	return "broadcast: preview " + e.Channel + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *PreviewError) Unwrap() error { return e.Err }

var errFailedUnknown = errors.New("failed")

// failureSentinels are the sentinel errors that a target's recorded
// failure keeps (see recordedFailure): those that say why a target
// refused an update for good, each under the name its record gives it.
// The others, which a target's failure for good does not wrap, steer the
// Broadcaster (ErrPostGone posts anew, ErrBusy is no attempt).
var failureSentinels = [...]struct {
	name string
	err  error
}{{"retracted", ErrRetracted}, {"not-supported", ErrNotSupported}}

// sentinelMark separates, in a target's recorded failure, its text from
// the names of the failureSentinels it wrapped. A control character no
// error text needs: recordedFailure replaces it in the text, so that no
// text (a platform's message quoting a sentinel's words, or anything
// else) is read as wrapping a sentinel its error did not wrap.
const sentinelMark = "\x1f"

// recordedFailure is the text the Ledger records for a target's failure
// err: its text, then sentinelMark and the name of each of
// failureSentinels that err wraps, which earlierFailure reads back. The
// Store keeps text only; every record a Ledger makes of a target's
// failure is made here.
func recordedFailure(err error) string {
	text := failureText(err)
	if err == nil {
		return text
	}
	text = strings.ReplaceAll(text, sentinelMark, "\uFFFD")
	for _, s := range failureSentinels {
		if errwalk.Is(err, s.err) {
			text += sentinelMark + s.name
		}
	}
	return text
}

// recordedError is a target's failure as the Ledger writes it to the
// Store: its text is recordedFailure's.
type recordedError struct {
	error
	text string
}

func (e *recordedError) Error() string { return e.text }
func (e *recordedError) Unwrap() error { return e.error }

// readFailure splits a target's failure as recordedFailure recorded it
// into its text and the sentinels its error wrapped. A record not of that
// form, without sentinelMark or with what follows it not a list of names
// (lower-case letters, digits and "-", as recordedFailure writes them),
// is all text, and names none: an earlier version's, which wrote a text
// as it was, control characters and all, or a Ledger's not the
// Broadcaster's. Its sentinelMark is shown as recordedFailure would show
// it, and the rest of the text kept. A name this version does not know (a
// newer version's sentinel, read after a rollback) is ignored: the text
// is still the text before the mark, which recordedFailure never lets a
// text hold. The text is never empty, as failureText's never is: a
// record with none before the mark is a failure still, not a delivery.
func readFailure(recorded string) (text string, sentinels []error) {
	text, names, ok := strings.Cut(recorded, sentinelMark)
	if !ok {
		return recorded, nil
	}
	for name := range strings.SplitSeq(names, sentinelMark) {
		if !sentinelName(name) {
			return strings.ReplaceAll(recorded, sentinelMark, "\uFFFD"), nil
		}
	}
	for name := range strings.SplitSeq(names, sentinelMark) {
		i := slices.IndexFunc(failureSentinels[:], func(s struct {
			name string
			err  error
		}) bool {
			return s.name == name
		})
		if i >= 0 && !slices.Contains(sentinels, failureSentinels[i].err) {
			sentinels = append(sentinels, failureSentinels[i].err)
		}
	}
	return cmp.Or(text, "failed"), sentinels
}

// sentinelName reports whether name could be one of failureSentinels'
// names, of this version or a newer one: not empty, of lower-case
// letters, digits and "-" only.
func sentinelName(name string) bool {
	return name != "" && strings.IndexFunc(name, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-'
	}) < 0
}

// earlierFailure is the error of a target whose failure the Store
// recorded in an earlier attempt (see recordedFailure): it wraps the
// sentinels the error recorded wrapped (a refusal of a correction where a
// Retract deleted the post wraps ErrRetracted), so that errors.Is
// answers in a Job's later run as in its first, and no others, whatever
// the text quotes. Every error rebuilt from a record is made here.
func earlierFailure(recorded string) error {
	text, sentinels := readFailure(recorded)
	return &earlier.Error{Reason: text, Sentinels: sentinels}
}

// errEmptyTarget is the failure of a Ledger target "", which names the
// channel's own mark in the Store, not a target.
var errEmptyTarget = Permanent(errors.New(`broadcast: Ledger target "": a target must have a name`))

// errNilContext is the error of a Broadcaster's method given a nil
// context, which it refuses rather than panic.
var errNilContext = fmt.Errorf("broadcast: %w", nilctx.Err)

// errNotMade is the error of a call of a Broadcaster not made by New: a
// nil *Broadcaster (New failed, its error dropped) or a zero Broadcaster,
// whose calls would otherwise panic.
var errNotMade = notmade.Error("broadcast.Broadcaster", "broadcast.New")

// made reports whether b was made by New, which refuses a Broadcaster of
// no channels.
func (b *Broadcaster) made() bool { return b != nil && b.channels != nil }
