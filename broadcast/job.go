package broadcast

import (
	"context"
	"fmt"
	"time"

	"github.com/outagecast/outagecast/internal/errwalk"
	"github.com/outagecast/outagecast/internal/quotecut"
)

// JobKind says what a Job does.
type JobKind string

// Kinds of Job: the per-channel parts of Send, Correct and Retract.
const (
	JobSend    JobKind = "send"
	JobCorrect JobKind = "correct"
	JobRetract JobKind = "retract"
)

// Job is one channel's part of a Send, Correct or Retract, for callers that
// run deliveries elsewhere, one attempt at a time: a durable job queue
// shared by many instances (package dispatch) retries a Job with its own
// policy instead of the Broadcaster's. A Job is plain data, to be stored
// as JSON.
type Job struct {
	// Kind says whether the Job sends, corrects or retracts.
	Kind JobKind `json:"kind"`
	// Update is the update to deliver, validated, cleaned and with its
	// defaults filled in; for JobRetract only its ID is set.
	Update Update `json:"update"`
	// Original is, for JobCorrect, the ID of the update corrected; for
	// JobRetract, the ID of the update retracted, Update.ID (RunJob
	// refuses a JobRetract whose Original is another).
	Original string `json:"original,omitempty"`
	// Channel is the name of the channel.
	Channel string `json:"channel"`
	// Made is, for JobSend, when Jobs made the Job: the place of the
	// update's Send among Sends, which orders the updates of an incident
	// of equal Time (the one whose Jobs were made first is the older),
	// whichever update's Job runs first. Zero (a Job made by hand, or
	// before Jobs set it), the Job's first run takes that place.
	Made time.Time `json:"made,omitzero"`
}

// Jobs validates u as Send (JobSend), Correct (JobCorrect, correcting
// original) or Retract (JobRetract of original; u is ignored) would
// (overrides for channels it does not have included), fills
// in its defaults, and returns one Job per channel, in the Broadcaster's
// order; a JobSend's Made is the place of this call among Sends. It does
// no I/O.
func (b *Broadcaster) Jobs(kind JobKind, u Update, original string) ([]Job, error) {
	if !b.made() {
		return nil, errNotMade
	}
	switch kind {
	case JobSend:
		original = ""
		if err := b.validate(u, checkSend(u)); err != nil {
			return nil, err
		}
	case JobCorrect:
		if err := b.checkCorrection(original, &u); err != nil {
			return nil, err
		}
	case JobRetract:
		if err := CheckID("original", original); err != nil {
			return nil, err
		}
		u = Update{ID: original}
	default:
		return nil, fmt.Errorf("broadcast: unknown job kind %s", quotecut.Quote(string(kind)))
	}
	if kind != JobRetract {
		u = u.WithDefaults(time.Now().UTC().Round(0))
	}
	var made time.Time
	if kind == JobSend {
		made = b.places.stamp()
	}
	jobs := make([]Job, len(b.channels))
	for i, name := range b.names {
		jobs[i] = Job{Kind: kind, Update: u, Original: original, Channel: name, Made: made}
	}
	return jobs, nil
}

// RunJob makes attempt number n of j: everything Send does around one
// attempt (the in-process and Options.Lock locks, the Store's marks,
// thread, route and superseded checks, the receipt and marks after a
// delivery), without retrying or waiting. The Result says how it went:
// Err nil when the Job is done (delivered, skipped, superseded or not
// selected); otherwise the caller retries unless IsPermanent(Err), no
// sooner than RetryDelay(Err) when set. A JobSend of an update older than
// a post whose retraction is under way (anywhere, as the Store records
// it) makes no attempt: it fails with a RetryDelay, to run again once the
// retraction has ended, as Send waits for it (NotTried reports such a
// run). n counts the runs of this Job: a run with n above 1 takes the
// targets the Store has as failed permanently for the update for its
// earlier runs' refusals, and leaves them alone (Result.Failures lists
// them), where a run with n 1, as a Send, tries them again; a Job made
// anew to send an update again starts at 1. A caller that gives up a
// Job whose last run failed transiently calls EndJob. Each run of a
// JobRetract records its retraction under way for RetryPolicy.MaxElapsed
// plus Options.AttemptTimeout from the run, or until the time ctx carries
// (see WithJobEnd) plus AttemptTimeout, when later: a record its caller
// never ends (a process that died, a Job deleted between its runs) holds
// older updates back no longer. The attempt is bounded by
// Options.AttemptTimeout. A Job that Jobs would not make (an unknown kind,
// a channel the Broadcaster does not have, an invalid update, one without
// IncidentID or Time, a correction with
// the original's ID or without Corrects set to Original, a retraction
// whose Original is not its Update.ID) fails Permanent
// without an attempt, its error naming every fault of the Job (each a
// *FieldError, see FieldErrors; an unknown kind, for which nothing else
// is checked, is named alone, and is none), and so does a JobCorrect whose Update.ID is that of
// a correction of another update or of an update sent (see Correct); an
// update not cleaned is cleaned (see Update.Clean) as Jobs would have;
// after Close,
// RunJob fails with ErrClosed, not Permanent, for another instance to run
// the Job, and Close waits for RunJobs under way.
func (b *Broadcaster) RunJob(ctx context.Context, j Job, n int) Result {
	if !b.made() {
		return Result{Channel: j.Channel, Err: errNotMade} // not Permanent: the Job is not at fault
	}
	if ctx == nil {
		return Result{Channel: j.Channel, Err: errNilContext} // the call's fault, not the Job's
	}
	if !b.enter() {
		// Not Permanent: another instance, or this one restarted, runs it.
		return Result{Channel: j.Channel, Err: ErrClosed}
	}
	defer b.mu.RUnlock() // Close waits for the job, as for a Send
	i := b.index(j.Channel)
	op, err := j.check(i >= 0)
	if err != nil {
		return Result{Channel: j.Channel, Err: Permanent(err)}
	}
	var rec *correctionRecord
	if j.Kind == JobCorrect {
		unwritten, err := b.claimCorrection(ctx, j.Original, j.Update.ID)
		if err != nil {
			if errwalk.Is(err, ErrInvalidUpdate) {
				err = Permanent(err)
			}
			return Result{Channel: j.Channel, Err: err}
		}
		if unwritten {
			rec = &correctionRecord{b: b, ctx: context.WithoutCancel(ctx), original: j.Original, id: j.Update.ID}
			defer rec.end() // written already when the delivery ended
		}
	}
	original := j.Original
	var place time.Time // of the update's first Send: the order of updates of equal Time
	var placeUnread bool
	if j.Kind == JobRetract {
		original = j.Update.ID
	} else {
		// The record a resend of the update finds once the queue has
		// forgotten the Job (see SentTime), and that later runs, on any
		// instance, take the place of the first Send from.
		_, place, placeUnread = b.firstSent(ctx, context.WithoutCancel(ctx), j.Update.ID, j.Update.IncidentID, j.Update.Time,
			j.Made, j.Kind == JobCorrect)
	}
	markID := op.markID(j.Update.ID)
	ch := b.channels[i]
	var seen uint64
	fls := b.flights.join(markID, b.names[i:i+1], func(_ int, refused uint64) { seen = refused })
	defer b.flights.leave(markID, b.names[i:i+1], fls)
	var res Result
	d := &delivery{b: b, ch: ch, name: j.Channel, route: b.routes[i], u: &j.Update, res: &res, place: place,
		placeUnread: placeUnread, op: op, original: original, markID: markID, flight: fls[0], refusedSeen: seen,
		record: rec}
	keep := context.WithoutCancel(ctx)
	d.ledger.init(keep, b.store, markID, d.name)
	if n > 1 {
		// The Job's earlier runs are its earlier attempts: a target they
		// failed permanently is not tried again (see storeLedger.read).
		d.ledger.resume()
	}
	d.res.Channel = d.name
	start := time.Now()
	if d.lock(ctx) {
		done, err := d.once(ctx, keep, max(n, 1))
		for y := (*retractYield)(nil); !done && errwalk.As(err, &y); {
			// Not an attempt: the Retract of the update in this process
			// that marked the flight goes ahead, or gives up, first.
			d.res.Attempts = 0
			if err = d.yield(ctx, y.settled); err == nil {
				done, err = d.once(ctx, keep, max(n, 1))
			}
		}
		if !done {
			if errwalk.As(err, new(*retractionWait)) {
				// Not an attempt: the Job waits for the retraction,
				// no sooner than a retry would.
				err = RetryAfter(err, b.retry.InitialInterval)
			}
			d.res.Err = err
			if ctx.Err() != nil {
				d.res.Err = stopped(ctx.Err(), err)
			}
		}
		d.unlock()
	} else {
		// ctx ended waiting for a delivery of the update under way: a run
		// that ends undone, as one whose attempt failed, with no
		// EventFailed (the channel did not give up: the caller retries).
		d.failed = false
	}
	d.settle()
	if op == opRetract && (res.Err == nil || IsPermanent(res.Err)) {
		// The retraction ended, in this run or (its record left by an
		// earlier run) before it.
		b.storeTrouble(keep, "record that the retraction of "+original+" on "+d.name+" ended",
			b.endRetraction(keep, original, d.name))
	}
	d.res.Duration = time.Since(start)
	return res
}

// EndJob records that j will not run again, for a caller that gives it
// up (its retries spent, cancelled) after a run RunJob did not end: what
// its runs left for other deliveries to wait for ends with it. For a
// JobRetract, that is the Store's record that the retraction is under way
// on the channel, which an older update of the incident waits for (its
// RunJob fails transiently, with a RetryDelay, rather than find it
// Superseded by a post that is being deleted): RunJob writes it before
// the first attempt deletes, and ends it when the retraction ends
// (deleted, skipped or failed for good); a JobRetract given up after a
// transient failure would otherwise keep older updates waiting until the
// record's time runs out (see RunJob), or their own retries do. For other
// kinds it does nothing. err is the Store's (ErrClosed after Close).
func (b *Broadcaster) EndJob(ctx context.Context, j Job) error {
	if !b.made() {
		return errNotMade
	}
	if ctx == nil {
		return errNilContext
	}
	if !b.enter() {
		return ErrClosed
	}
	defer b.mu.RUnlock()
	if j.Kind != JobRetract {
		return nil
	}
	if err := b.endRetraction(ctx, j.Update.ID, j.Channel); err != nil {
		return fmt.Errorf("broadcast: %w", err)
	}
	return nil
}

// WithJobEnd returns a copy of ctx that tells RunJob the time past which
// its caller runs the Job no more (a queue's last retry may start until
// then): a JobRetract's run keeps the Store's record that its retraction
// is under way until end plus Options.AttemptTimeout, when that is later
// than the Broadcaster's own RetryPolicy.MaxElapsed plus AttemptTimeout
// from the run. A caller whose runs of a Job may be further apart than
// that (package dispatch, whose Retry is its own) passes it, so that an
// older update does not take the retraction for ended between two runs,
// find the newer post still up and be Superseded, while the next run
// deletes that post.
func WithJobEnd(ctx context.Context, end time.Time) context.Context {
	return context.WithValue(ctx, jobEndKey{}, end)
}

// jobEndKey keys the time WithJobEnd gives.
type jobEndKey struct{}

// jobOps are the operations of the kinds of Job.
var jobOps = map[JobKind]op{JobSend: opSend, JobCorrect: opCorrect, JobRetract: opRetract}

// check returns j's operation, or why j is not one Jobs makes: a Job read
// back from a queue may come from another version or be damaged. Its
// error names every fault, as Validate names an update's, a channel not
// known (the Broadcaster has none of that name) with the others.
func (j *Job) check(known bool) (op, error) {
	o, ok := jobOps[j.Kind]
	if !ok {
		return 0, fmt.Errorf("broadcast: unknown job kind %s", quotecut.Quote(string(j.Kind)))
	}
	var v validation
	if !known {
		v.add(invalid("Job.Channel", "no channel %s", quotecut.Quote(j.Channel)))
	}
	idOK := v.add(checkIDField("Job.Update.ID", j.Update.ID))
	correctsOK := true
	switch o {
	case opRetract:
		// Jobs sets Original to the update retracted, its Update.ID, which
		// RunJob deletes: one that names another is not the caller's
		// meaning, and deleting either post may be wrong.
		if j.Original != "" && j.Original != j.Update.ID {
			v.add(invalid("Job.Original", "%s, not Job.Update.ID %s: a JobRetract deletes the post of its Update.ID; Jobs sets both",
				quotecut.Quote(j.Original), quotecut.Quote(j.Update.ID)))
		}
		return o, v.err()
	case opSend:
		if j.Update.Corrects != "" {
			correctsOK = v.add(invalid("Job.Update.Corrects", "%s in a send; Jobs makes a correction a JobCorrect", quotecut.Quote(j.Update.Corrects)))
		}
	case opCorrect:
		v.add(checkIDField("Job.Original", j.Original))
		// Jobs makes a correction's ID its own and sets Corrects: with the
		// original's ID it would be found done, and nothing corrected.
		if idOK && j.Update.ID == j.Original {
			v.add(invalid("Job.Update.ID", "the same as Job.Original; Jobs gives a correction an ID of its own"))
		}
		if j.Update.Corrects != j.Original {
			correctsOK = v.add(invalid("Job.Update.Corrects", "%s, not Job.Original %s; Jobs sets it", quotecut.Quote(j.Update.Corrects), quotecut.Quote(j.Original)))
		}
	}
	// Jobs filled in the Time of an update given without one, and checked
	// a NextUpdate against a Time given: a NextUpdate before one it filled
	// in is not refused here, as Send does not refuse it.
	var uv validation
	j.Update.check(&uv, false)
	for _, e := range uv.errs {
		// An ID or Corrects at fault is named once, as Job.Update's.
		if fe := e.(*FieldError); (fe.Field != "ID" || idOK) && (fe.Field != "Corrects" || correctsOK) {
			v.add(fe)
		}
	}
	// Jobs fills these in; an attempt cannot, the same way on every
	// instance (a Time of now would differ from attempt to attempt).
	if j.Update.IncidentID == "" {
		v.add(invalid("Job.Update.IncidentID", "missing; Jobs sets it"))
	}
	if j.Update.Time.IsZero() {
		v.add(invalid("Job.Update.Time", "missing; Jobs sets it"))
	}
	v.add(checkYear("Job.Made", j.Made))
	if err := v.err(); err != nil {
		return 0, err
	}
	j.Update = j.Update.Clean()
	return o, nil
}

// index returns the position of the channel of that name, or -1.
func (b *Broadcaster) index(name string) int {
	for i, n := range b.names {
		if n == name {
			return i
		}
	}
	return -1
}
