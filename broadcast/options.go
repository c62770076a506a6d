package broadcast

import (
	"context"
	"log/slog"
	"time"

	"github.com/outagecast/outagecast/internal/errwalk"
)

// RetryPolicy bounds one channel's retrying. The zero value of each field
// means its default. Waits start at InitialInterval and double after each
// failed attempt, each randomized by ±50% so that many senders do not retry
// in step, and never exceed MaxInterval: once doubling reaches it, waits
// fall between a third of MaxInterval and MaxInterval. A RetryAfter hint
// longer than the wait replaces it, even beyond MaxInterval (bounded by
// MaxElapsed): the platform knows best when it will take the next request.
// On a channel with many targets (recipients, endpoints), a target whose
// hint runs past MaxElapsed is held back, pending and not tried again in
// that delivery, and the others are retried at their own pace, not given
// up with it; a later Send of the update tries it again.
//
// A retry that reached targets no earlier attempt of the delivery had
// reached (marked delivered through the Ledger, as a Fanout does) does not
// count toward MaxAttempts: a channel fanning out under a platform's rate
// limit (Matrix rooms, e-mail recipients, webhook endpoints) that reaches a
// few more targets on each retry keeps going until every target has the
// update or MaxElapsed runs out, so MaxElapsed is what ends it. Only
// attempts without such progress use MaxAttempts up, the first always;
// MaxAttempts 1 still means no retry, and Result.Attempts may exceed
// MaxAttempts. Such a retry also starts the doubling afresh: the wait
// after it is InitialInterval again (a longer RetryAfter hint still wins).
type RetryPolicy struct {
	MaxAttempts     int           // attempts in all, including the first, not counting retries that reached new targets; default 6
	InitialInterval time.Duration // wait before the first retry; default 1s
	MaxInterval     time.Duration // cap on one wait, jitter included; default 1m
	MaxElapsed      time.Duration // cap on one channel's retrying, waits included; default 10m
}

// Defaults of RetryPolicy and Options.
const (
	DefaultMaxAttempts     = 6
	DefaultInitialInterval = time.Second
	DefaultMaxInterval     = time.Minute
	DefaultMaxElapsed      = 10 * time.Minute
	DefaultAttemptTimeout  = 30 * time.Second
	DefaultStageWait       = 30 * time.Second
)

// Options configure a Broadcaster. The zero value means the documented
// defaults.
type Options struct {
	// Retry bounds each channel's retries.
	Retry RetryPolicy
	// AttemptTimeout bounds one attempt; default 30s. An attempt that runs
	// out of time counts as a transient failure and is retried. The first
	// attempts of a Send, which start together, share one deadline; each
	// still gets at least 63/64 of AttemptTimeout.
	AttemptTimeout time.Duration
	// Store remembers receipts (threading, corrections) and delivery marks
	// (idempotency); default NewMemoryStore(). A panic in one of its
	// methods is an error of the delivery that called it, permanent and
	// naming the method ("Store.Mark panicked: …"), as a channel's panic
	// is: it never takes the process down from a delivery's goroutine.
	Store Store
	// Routes limits channels, by name, to some updates; channels without a
	// Route get every update. See Route. New copies them: a later change
	// to a Route's lists does not change the Broadcaster's routing.
	Routes map[string]Route
	// Stages delivers in order: the channels named in Stages[0] first (a
	// status page, so that the links other channels post resolve when
	// people click them), then those of Stages[1], and so on; channels not
	// named form a last stage. A stage starts when every channel of the
	// stage before has finished or StageWait has passed, whichever comes
	// first: a slow or failing status page delays the rest by at most
	// StageWait, never stops them. Report.Stages says how each stage went.
	// Nil: every channel at once.
	Stages [][]string
	// StageWait bounds the wait for each stage; default 30s.
	StageWait time.Duration
	// Lock, if set, is held around each attempt of a channel's delivery of
	// an update (not across the waits between attempts), so that instances
	// sharing a Store attempt an update on a channel one at a time: the
	// second then finds it done, or reaches only the targets the first did
	// not. Retract holds the lock of the update it retracts, so it waits for
	// another instance's attempt under way (a Correct's of its post too:
	// see LockKey.Post) and deletes what that posted.
	// Within one Broadcaster that always holds. Lock waits until it gets
	// the lock or ctx ends; its error fails the attempt transiently, but a
	// wait that ctx ended is no attempt (it counts none in the Result, and
	// fails with ErrBusy a delivery whose channel was not called yet), and a
	// panic in it for good ("Options.Lock panicked: …"); a panic in its
	// unlock is logged, and the attempt's outcome stands. A nil
	// unlock with a nil error means there is nothing to release; with an
	// error, unlock is not called (Lock releases whatever it took before
	// it failed). It is
	// also held for a moment, under a reserved name, while the first Send
	// (or run of a Job) of an update records the Time it was sent with and
	// the place of that Send (see Broadcaster.SentTime), so that instances
	// agree on them, and while a
	// Correct, or a run of a JobCorrect, records which update its
	// correction ID corrects (see Broadcaster.Correct); those calls' ctx
	// ends with the caller's but holds none of its values, which are
	// for the locks of deliveries (pgstore's WithLockLost).
	// A shared Store offers one (broadcast/pgstore's Store.Lock); so do
	// MemoryStore and broadcast/boltstore for the Broadcasters of one
	// process that share one (see Locks). Without it, two Broadcasters
	// sharing a Store may both post an update both send at once.
	Lock func(ctx context.Context, key LockKey) (unlock func(), err error)
	// Logger receives one record per attempt (Debug), retry (Warn),
	// delivery, skip and the like (Info), and failure (Error); default:
	// discard. A panic in its handler loses that record, and the delivery
	// goes on.
	Logger *slog.Logger
	// OnEvent, if set, is called with the same progress as the Logger
	// receives. Calls are serialized; keep it quick. It runs inside the
	// delivery: it must not itself send, correct or retract through the
	// same Broadcaster, or another sharing its Store or Lock, and wait for
	// it (an update of the same incident waits for the attempt that called
	// it, and deliveries of the one that called it wait to report), nor call the Broadcaster's
	// other methods (Thread, SentTime, Check): a Close waiting for the
	// Send to end keeps them waiting too. Hand the Event to another
	// goroutine for that. A panic in it is logged (to Logger, when set),
	// and the delivery goes on.
	OnEvent func(Event)
}

// EventKind says what an Event reports.
type EventKind string

// Kinds of Event.
const (
	EventAttempt     EventKind = "attempt"      // an attempt starts
	EventRetry       EventKind = "retry"        // an attempt failed; Delay says when the next starts
	EventDelivered   EventKind = "delivered"    // the channel delivered the update
	EventFailed      EventKind = "failed"       // the channel gave up; Err says why
	EventSkipped     EventKind = "skipped"      // delivered earlier (same Update.ID in the Store)
	EventSuperseded  EventKind = "superseded"   // a newer update of the incident is out on the channel
	EventNotSelected EventKind = "not_selected" // the channel's Route leaves the update out
)

// Event is one step of a channel's delivery, for progress displays.
type Event struct {
	Kind       EventKind     // what happened
	Channel    string        // the channel's name
	UpdateID   string        // the update's ID
	IncidentID string        // its incident
	Attempt    int           // the attempt this event is about; 0 when none was made
	Delay      time.Duration // EventRetry: the wait before the next attempt
	Err        error         // EventRetry, EventFailed: the attempt's error; EventDelivered: the Result's, if any: the targets that failed for good (a *TargetsError), ErrNotRecorded, or both
	Receipt    Receipt       // EventDelivered
	Edited     bool          // EventDelivered: Correct edited the post in place (Result.Edited)
	Time       time.Time     // when it happened
}

// Report is the outcome of one Send, Correct or Retract.
type Report struct {
	UpdateID   string   // the update sent, corrected or retracted
	IncidentID string   // empty for Retract
	Results    []Result // Results[i] belongs to the Broadcaster's channel i
	// Stages says, for a staged delivery (Options.Stages), how each stage
	// but the last went before the next one started.
	Stages   []StageReport
	Started  time.Time // when the call began
	Finished time.Time // when the last channel was done
}

// StageReport is how one stage of a staged delivery went before the next
// stage started.
type StageReport struct {
	// Channels names the stage's channels, in the Broadcaster's order.
	Channels []string
	// Waited is how long the next stage waited for this one.
	Waited time.Duration
	// Complete: every channel of the stage delivered (or had nothing to
	// do) before the next stage started. When false, the next stage went
	// out after StageWait, or after a failure here, and its links may not
	// resolve yet.
	Complete bool
}

// Result is one channel's outcome.
type Result struct {
	Channel  string        // the channel's name
	Receipt  Receipt       // the delivery's receipt; for Skipped, the earlier one's
	Attempts int           // attempts made (retries that reached new targets count too: see RetryPolicy)
	Duration time.Duration // from the start of the channel's delivery (in a staged delivery, its stage's) to its end
	// Err is nil when the channel delivered, or was skipped, superseded or
	// not selected.
	Err error
	// Skipped: nothing to do: delivered earlier (same Update.ID, per the
	// Store), or, for Retract, never posted or already deleted (a channel
	// whose attempt may have posted, without a receipt, fails instead).
	Skipped bool
	// Superseded: a newer update of the incident was delivered on this
	// channel first, so this one was not posted (or its retries stopped);
	// also when, on a channel with many targets, a newer update reached
	// every target this one had not, so that it reached none.
	Superseded bool
	// NotSelected: the channel's Route leaves this update out.
	NotSelected bool
	// Edited: Correct edited the original's post in place on this channel
	// (an Editor holding its receipt); false where it posted the
	// correction in the incident's thread, where the wrong post stays.
	Edited bool
	// Delivered lists the targets (recipients, endpoints) the channel marked
	// delivered through the Ledger during this call, also when the channel
	// failed or the caller's context ended before it finished. Progress
	// within a target (Fanout.MarkProgress) is not listed.
	Delivered []string
	// Pending lists the targets not delivered yet when the channel gave up
	// or was stopped, with their last error; a later Send of the same
	// update reaches them.
	Pending []TargetFailure
	// SupersededTargets lists the targets (recipients, endpoints) that a
	// newer update of the incident, sent (not a correction) and not
	// retracted on the channel (nor its post deleted on that target by a
	// Retract that failed on others), reached first: this update was not posted
	// there, since it would come after the newer one; it still goes to
	// the targets no newer update reached. Neither an error nor pending.
	SupersededTargets []string
	// Failures lists the targets the channel marked failed permanently
	// through the Ledger during this call, and, for a Job's run after its
	// first, those its earlier runs marked failed that this run came
	// across (their error says so), as for a Send that waited for one of
	// the same update running at once on the Broadcaster, those that
	// Send found refusing (see Send). When the channel otherwise delivered,
	// Err is then a Permanent *TargetsError, and a later Send of the
	// update (Correct of the correction) tries these targets again (not
	// Skipped), and only these.
	Failures []TargetFailure
}

// Unrecorded reports whether r is that of a delivery made in full whose
// record the Store could not write: its error is the Broadcaster's
// Permanent ErrNotRecorded alone, with no target pending or refused for
// good. The platform has the update, and nothing is left to deliver; a
// Send of it again may post it again, the Store having no record of it,
// so a caller that retries on errors (a queue, a webhook sender) treats
// it as delivered. One joined to another failure (targets still to reach,
// targets refused, the channel's own failure) is not: those did not get
// the update. Nor is that of a Retract on a channel that delivered the
// update without its receipt recorded: its post could not be found, and
// nothing was deleted.
func (r Result) Unrecorded() bool {
	if r.Err == nil || len(r.Pending) > 0 || len(r.Failures) > 0 ||
		!IsPermanent(r.Err) || !errwalk.Is(r.Err, ErrNotRecorded) || errwalk.Is(r.Err, errPostNotFound) {
		return false
	}
	_, joined := r.Err.(interface{ Unwrap() []error })
	return !joined
}

// LockKey is what Options.Lock is asked to lock: the delivery of update
// UpdateID to Channel and, when IncidentID is set, every delivery of an
// update of that incident to Channel.
type LockKey struct {
	UpdateID string
	Channel  string
	// IncidentID is set for the attempts of a Send or a Correct, which
	// post: the holder is then also the only one, among the instances
	// sharing the Lock, attempting an update of the incident on the
	// channel, so that an attempt reads the incident's thread, posts and
	// saves its receipt before another instance's attempt of a newer (or
	// older) update reads it, and an older update is never posted after a
	// newer one. It is empty for a Retract's attempts, which post nothing,
	// and for the record of the Time an update was first sent with. A Lock
	// that takes the incident's lock takes it before the update's, so two
	// holders never wait for each other.
	IncidentID string
	// Post is set for the attempts of a Correct and of a Retract: the
	// channel's post of the update corrected or retracted (its receipt's
	// ID), when there is one. The holder then also holds the post's lock,
	// so that an edit of a post and its deletion, on any instance, exclude
	// each other, also where in-place corrections share their original's
	// post (a Retract of the original, or of one of them, against a
	// Correct of another): the Retract waits for the edit and deletes the
	// edited post, rather than deleting it under the edit, which would
	// find it gone and post the correction anew. A Lock takes it after the
	// incident's lock and before UpdateID's. The Broadcaster reads the post
	// again once it holds the lock, and locks again when another was saved
	// meanwhile (an original's Send under way on another instance). Within
	// one Broadcaster it holds the post so too, with or without a Lock.
	Post string
}
