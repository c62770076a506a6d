package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/pgretry"
)

// ErrPending is wrapped by the Result error of a channel whose job has
// not finished yet, in a Report taken before the end.
var ErrPending = errors.New("dispatch: not finished yet")

// ErrCancelledByOperator is wrapped by the Result error (and the
// EventFailed error) of a channel whose job an operator cancelled through
// River (its Client.JobCancel, or River's UI) before it finished. A job
// the retry policy gave up, or that failed permanently, is also cancelled
// in River's terms, but its error does not wrap it.
var ErrCancelledByOperator = errors.New("dispatch: cancelled by an operator")

// Report returns where the delivery (or correction) of update updateID
// stands, from its jobs and the Store's receipts, as any instance sees it;
// done reports that every job has finished. Results follow the
// Broadcaster's channel order; a Result's error wraps ErrPending while its
// job has not finished, and is the job's last error, Permanent when it was
// cancelled, once it failed; it wraps ErrCancelledByOperator, and then
// the last attempt's error if any, when an operator cancelled the job.
// A channel that delivered the update when the Store could not record it
// (a job completed by a run whose receipt or mark was not written) has the
// Result a Send gives it: an error wrapping broadcast.ErrNotRecorded,
// Permanent, with the post's receipt (the Store's, else the one the run
// kept in its job); it is no failure, and the job is done: enqueueing the
// update again queues nothing for that channel while River keeps the job.
// Once River has deleted it, a job enqueued anew skips the channel where
// the receipt was saved and is still the incident's latest post there (as
// a Send does), and elsewhere finds the earlier attempt's outcome unknown:
// its Message.Attempt is above 1, and a channel without idempotency keys
// looks for its post before posting.
// A job waiting to run again without using up an attempt (snoozed: a
// rate limit's wait, a correction waiting for its original's delivery)
// says why, and until when: "dispatch: not finished yet (waiting until
// 2026-12-01T10:00:00Z): HTTP 429".
// A job given up whose runs River failed before they started (a kind
// this version does not know, left by a later version; a row River cannot
// decode) has the error its EventFailed had ("gave up: …; last attempt:
// job kind is not registered …"), though River recorded the run's own.
// A job whose args cannot be decoded (left by another version, or edited
// by hand) fails no Report: its channel's Result error, when the job has
// one, names it ("…; job 12: its args cannot be decoded: …"), and so does
// that of a Result of its own, with no Channel, after the others, when
// not even its channel can be read: ErrPending until the job finishes,
// Permanent then. One whose output cannot be decoded fails no Report
// either: its Result is what its state says, and its error, when it has
// one, names it ("…; job 12: its output cannot be decoded: …"). A channel the update was enqueued for that has neither
// a job nor a record is then left out: that job may be its.
//
// River deletes finished jobs (completed and cancelled ones after a day,
// discarded ones after a week, by default), and Report then answers from
// the Store for the Broadcaster's channels without a job: delivered, with
// its receipt, where the Store has the channel's receipt or delivery mark
// of the update (a skip, from an earlier delivery, reads so too); failed
// where its mark records a failure. When the update has no job left at
// all, every other channel's Result error is ErrJobDeleted: whether it
// gave up, was superseded or not selected, nothing says any more; and the
// Report's IncidentID, Started and Finished are zero, as no job holds
// them. While some jobs are left, a channel with neither job nor record
// gets ErrJobDeleted too when the jobs say the update was enqueued for it,
// and is left out otherwise (a channel added since the update was
// enqueued; or jobs enqueued before they said so). An update
// without jobs of which the Store has no record (no receipt, no mark, and
// no record that a run of its jobs began: see
// broadcast.Broadcaster.SentTime) fails with ErrNoJobs: never enqueued, or
// enqueued in a transaction not committed yet. An updateID no update can
// have (empty, not valid UTF-8, too long, with a control character) fails
// at once, as it does for RetractReport, Wait, WaitRetract, Watch and
// Retract: the error wraps broadcast.ErrInvalidUpdate and names updateID.
func (d *Dispatcher) Report(ctx context.Context, updateID string) (rep *broadcast.Report, done bool, err error) {
	rep, _, done, err = d.report(ctx, metadata{Update: updateID}, updateID)
	return rep, done, err
}

// RetractReport is Report for the retraction of update updateID, from
// the jobs alone: once River has deleted them it fails with ErrNoJobs
// (the Store's record of a retraction is the Broadcaster's own).
func (d *Dispatcher) RetractReport(ctx context.Context, updateID string) (rep *broadcast.Report, done bool, err error) {
	rep, _, done, err = d.report(ctx, metadata{Retract: updateID}, updateID)
	return rep, done, err
}

// Wait waits until every job of update updateID (or of the correction
// with that ID) has finished, or ctx ends, and returns its Report. Like
// Send, its error joins a *broadcast.DeliveryError per channel that
// failed, or that delivered when the Store could not record it
// (broadcast.ErrNotRecorded: see Report).
func (d *Dispatcher) Wait(ctx context.Context, updateID string) (*broadcast.Report, error) {
	return d.Watch(ctx, updateID, nil)
}

// WaitRetract is Wait for the retraction of update updateID.
func (d *Dispatcher) WaitRetract(ctx context.Context, updateID string) (*broadcast.Report, error) {
	return d.watch(ctx, metadata{Retract: updateID}, updateID, nil)
}

// Watch is Wait that also calls fn, if not nil, with each channel's
// Result as soon as its job finishes, once per channel, and once per job
// whose channel cannot be read (its Result has no Channel: see Report),
// from the caller's goroutine. It reads the jobs again as soon as one of them finishes on
// any started instance (see Changes), and every Config.PollInterval in
// any case, so it sees jobs run by every instance. While the database is away (a failover, a
// restart) it keeps reading until ctx ends. Once ctx ends, even during a
// read, it returns the last Report read and an error matching ctx's, which
// says whether the database was away.
func (d *Dispatcher) Watch(ctx context.Context, updateID string, fn func(broadcast.Result)) (*broadcast.Report, error) {
	return d.watch(ctx, metadata{Update: updateID}, updateID, fn)
}

func (d *Dispatcher) watch(ctx context.Context, md metadata, updateID string, fn func(broadcast.Result)) (*broadcast.Report, error) {
	if !d.made() {
		return nil, errNotMade
	}
	// Before any error prints updateID: an ID no update can have may hold
	// control characters, which would reach the caller's log raw.
	if err := broadcast.CheckID("updateID", updateID); err != nil {
		return nil, fmt.Errorf("dispatch: wait: %w", err)
	}
	if ctx == nil {
		return nil, fmt.Errorf("dispatch: wait for %s: %w", updateID, errNilContext)
	}
	seen := map[watchKey]bool{}
	// Before the first read: a job finishing during it wakes the next.
	changes, stop := d.Changes(updateID)
	defer stop()
	var last *broadcast.Report
	var away error // why the last read failed, while the database is away
	for {
		rep, unplaced, done, err := d.report(ctx, md, updateID)
		switch {
		case err != nil && pgretry.ConnectionLost(err):
			// A failover or restart outlasting the read's own tries: the
			// jobs are safe in the database; read again, until ctx ends.
			away = err
		case err != nil && ctx.Err() != nil:
			// ctx ended during the read: said below, with the last
			// Report read.
		case err != nil:
			return rep, err
		default:
			last, away = rep, nil
			for _, r := range finishedNow(rep, unplaced, seen) {
				if fn != nil {
					fn(r)
				}
			}
			if done {
				return rep, reportError(rep)
			}
		}
		select {
		case <-ctx.Done():
			if away != nil {
				return last, fmt.Errorf("dispatch: wait for %s: %w; the database is away: %w", updateID, ctx.Err(), away)
			}
			return last, fmt.Errorf("dispatch: wait for %s: %w", updateID, ctx.Err())
		case <-changes:
		}
	}
}

// watchKey is what Watch calls fn once for: a channel, or a job under no
// channel (whose args cannot be decoded), by its ID.
type watchKey struct {
	channel string
	job     int64
}

// finishedNow returns the Results of rep that are not pending and were
// not returned before, as seen records, and records them: a channel's
// once, and each job's under no channel once. unplaced are the IDs of
// the jobs of rep's last Results, which have no channel; they share the
// empty channel name, and each is a job of its own.
func finishedNow(rep *broadcast.Report, unplaced []int64, seen map[watchKey]bool) []broadcast.Result {
	var out []broadcast.Result
	first := len(rep.Results) - len(unplaced)
	for i, r := range rep.Results {
		k := watchKey{channel: r.Channel}
		if i >= first {
			k = watchKey{job: unplaced[i-first]}
		}
		if !seen[k] && !errors.Is(r.Err, ErrPending) {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// reportError joins a DeliveryError per failed channel, as Send does.
func reportError(rep *broadcast.Report) error {
	var errs []error
	for _, r := range rep.Results {
		if r.Err != nil {
			errs = append(errs, &broadcast.DeliveryError{Channel: r.Channel, Attempts: r.Attempts, Err: r.Err})
		}
	}
	return errors.Join(errs...)
}

// maxJobs bounds the jobs Report reads for one update: a few per channel.
const maxJobs = 10_000

// report reads the jobs carrying md and assembles the Report, from the
// Store for the channels without a job (see Report); unplaced are the IDs
// of the jobs under no channel (their args cannot be decoded), whose
// Results end the Report, in order.
func (d *Dispatcher) report(ctx context.Context, md metadata, updateID string) (rep *broadcast.Report, unplaced []int64, done bool, err error) {
	if !d.made() {
		return nil, nil, false, errNotMade
	}
	if err := broadcast.CheckID("updateID", updateID); err != nil {
		return nil, nil, false, fmt.Errorf("dispatch: report: %w", err)
	}
	if ctx == nil {
		return nil, nil, false, fmt.Errorf("dispatch: report: %w", errNilContext)
	}
	rep = &broadcast.Report{UpdateID: updateID}
	js, err := d.latestJobs(ctx, md, updateID, rep)
	if err != nil {
		return nil, nil, false, err
	}
	latest, enqueued := js.latest, js.enqueued
	noJobs := len(latest) == 0 && len(js.unplaced) == 0
	done, recorded := true, !noJobs
	for _, ch := range d.order(latest) {
		row := latest[ch]
		if row == nil {
			if md.Retract != "" {
				continue // retractions' marks are the Broadcaster's own
			}
			// An unplaced job may be the channel's: not said deleted.
			r, ok, err := d.stored(ctx, ch, updateID, noJobs || enqueued[ch] && len(js.unplaced) == 0)
			if err != nil {
				return nil, nil, false, err
			}
			if ok {
				recorded = recorded || !errors.Is(r.Err, ErrJobDeleted)
				rep.Results = append(rep.Results, r)
			}
			continue
		}
		r, finished, err := d.result(ctx, ch, updateID, row, md.Retract != "")
		if err != nil {
			return nil, nil, false, err
		}
		if derr := js.undecodable[row.ID]; derr != nil && r.Err != nil {
			r.Err = fmt.Errorf("%w; %w", r.Err, derr)
		}
		done = done && finished
		rep.Results = append(rep.Results, r)
		rep.Started, rep.Finished = span(rep.Started, rep.Finished, row)
	}
	for _, row := range js.unplaced {
		unplaced = append(unplaced, row.ID)
		r, finished := unplacedResult(row, js.undecodable[row.ID])
		done = done && finished
		rep.Results = append(rep.Results, r)
		rep.Started, rep.Finished = span(rep.Started, rep.Finished, row)
	}
	if !recorded {
		sent := false
		if md.Retract == "" { // a retraction's only record is its jobs
			if sent, err = d.sent(ctx, updateID); err != nil {
				return nil, nil, false, err
			}
		}
		if !sent {
			return nil, nil, false, fmt.Errorf("%w: %s", ErrNoJobs, updateID)
		}
	}
	if !done {
		rep.Finished = time.Time{}
	}
	return rep, unplaced, done, nil
}

// reportJobs are the jobs of an update, as Report reads them.
type reportJobs struct {
	latest   map[string]*rivertype.JobRow // the last job enqueued for each channel
	enqueued map[string]bool              // the channels the jobs' metadata names
	// undecodable holds the error of each job whose args cannot be
	// decoded (left by another version, or edited); unplaced those of
	// them whose channel cannot be read either.
	undecodable map[int64]error
	unplaced    []*rivertype.JobRow
}

// latestJobs reads the jobs carrying md and returns the last one enqueued
// for each channel, and the channels the update was enqueued for, as the
// jobs' metadata names them (jobs enqueued before it did name none); rep
// gets their IncidentID. A job whose args cannot be decoded fails no
// Report: it counts for its channel when that can be read (json.Unmarshal
// goes on past a field of the wrong type), and is unplaced otherwise.
func (d *Dispatcher) latestJobs(ctx context.Context, md metadata, updateID string, rep *broadcast.Report) (reportJobs, error) {
	list, err := d.jobs(ctx, md, river.NewJobListParams().OrderBy(river.JobListOrderByID, river.SortOrderAsc))
	if err != nil {
		return reportJobs{}, fmt.Errorf("dispatch: report %s: %w", updateID, err)
	}
	js := reportJobs{latest: map[string]*rivertype.JobRow{}, enqueued: map[string]bool{}, undecodable: map[int64]error{}}
	for _, row := range list {
		var md metadata
		if json.Unmarshal(row.Metadata, &md) == nil {
			for _, ch := range md.Channels {
				js.enqueued[ch] = true
			}
		}
		var a jobArgs
		if err := json.Unmarshal(row.EncodedArgs, &a); err != nil {
			js.undecodable[row.ID] = fmt.Errorf("job %d: its args cannot be decoded: %w", row.ID, err)
			if a.Channel == "" {
				js.unplaced = append(js.unplaced, row)
			} else {
				js.latest[a.Channel] = row
			}
			continue
		}
		js.latest[a.Channel] = row
		rep.IncidentID = a.Job.Update.IncidentID
	}
	return js, nil
}

// unplacedResult is the Result of a job whose args, channel included,
// cannot be decoded (err): under no channel, failed for good once the
// job finished, ErrPending until then; finished reports that it will not
// run again.
func unplacedResult(row *rivertype.JobRow, err error) (r broadcast.Result, finished bool) {
	r = broadcast.Result{Attempts: attempt(row)}
	err = fmt.Errorf("dispatch: %w; its channel is unknown", err)
	switch row.State {
	case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
		r.Err = broadcast.Permanent(fmt.Errorf("%w; its job %s", err, row.State))
		return r, true
	}
	r.Err = fmt.Errorf("%w (%s); %w", ErrPending, row.State, err)
	return r, false
}

// span widens the time from started to finished to take in the job of
// row: from its creation to its end.
func span(started, finished time.Time, row *rivertype.JobRow) (time.Time, time.Time) {
	if started.IsZero() || row.CreatedAt.Before(started) {
		started = row.CreatedAt
	}
	if row.FinalizedAt != nil && row.FinalizedAt.After(finished) {
		finished = *row.FinalizedAt
	}
	return started, finished
}

// jobs lists the jobs carrying md (at most maxJobs) with params, going
// on after lost connections (a read: safe to run again).
func (d *Dispatcher) jobs(ctx context.Context, md metadata, params *river.JobListParams) ([]*rivertype.JobRow, error) {
	raw, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	params = params.Metadata(string(raw)).First(maxJobs)
	var list *river.JobListResult
	err = d.outage.Do(ctx, func() (err error) {
		list, err = d.client.JobList(ctx, params)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list.Jobs, nil
}

// order returns the Broadcaster's channels, in its order, then any others
// with jobs (channels since removed), sorted.
func (d *Dispatcher) order(jobs map[string]*rivertype.JobRow) []string {
	out := slices.Clone(d.channels)
	var rest []string
	for ch := range jobs {
		if !slices.Contains(out, ch) {
			rest = append(rest, ch)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// sent reports whether the Store knows update updateID was sent once: a
// run of any of its jobs recorded it first (see
// broadcast.Broadcaster.SentTime). Without jobs nor that record, the
// update was never enqueued, or its transaction has not committed yet.
// err is the Store's when it could not tell.
func (d *Dispatcher) sent(ctx context.Context, updateID string) (bool, error) {
	_, ok, err := d.cfg.Broadcaster.SentTime(ctx, updateID)
	if err != nil {
		return false, fmt.Errorf("dispatch: report %s: %w", updateID, err)
	}
	return ok, nil
}

// ErrJobDeleted is wrapped by the Result error of a channel whose job
// River deleted (see Report) when the Store has no delivery of the update
// there: it was not delivered (given up, superseded, not selected), or
// its delivery was not recorded; which, nothing says any more.
var ErrJobDeleted = errors.New("dispatch: its job was deleted, and the Store has no delivery of it")

// stored is channel ch's Result for update updateID from the Store, for a
// channel without a job: delivered when the Store has its receipt or
// delivery mark, failed when its mark says so. Without either, it is left
// out (ok false), unless unknown: its error then is ErrJobDeleted.
func (d *Dispatcher) stored(ctx context.Context, ch, updateID string, unknown bool) (r broadcast.Result, ok bool, err error) {
	r = broadcast.Result{Channel: ch}
	rcpt, posted, err := d.cfg.Store.Receipt(ctx, updateID, ch)
	if err != nil {
		return r, false, fmt.Errorf("dispatch: report %s: %w", updateID, err)
	}
	done, failure, err := d.cfg.Store.Done(ctx, updateID, ch, "")
	if err != nil {
		return r, false, fmt.Errorf("dispatch: report %s: %w", updateID, err)
	}
	switch {
	case posted || done && failure == "":
		r.Receipt = rcpt
	case done:
		r.Err = broadcast.Permanent(errors.New(failure))
	case unknown:
		r.Err = ErrJobDeleted
	default:
		return r, false, nil
	}
	return r, true, nil
}

// result is one channel's Result from its job; finished reports that the
// job will not run again. A job whose output cannot be decoded (recorded
// by another version, or edited by hand) fails no Report, as one whose
// args cannot be is not: its Result is what its state says, and its
// error, when it has one, names the output.
func (d *Dispatcher) result(ctx context.Context, ch, updateID string, row *rivertype.JobRow, retract bool) (broadcast.Result, bool, error) {
	var out output
	var outErr error
	if o := row.Output(); o != nil {
		if err := json.Unmarshal(o, &out); err != nil {
			out, outErr = output{}, fmt.Errorf("job %d: its output cannot be decoded: %w", row.ID, err)
		}
	}
	r, finished, err := d.resultOf(ctx, ch, updateID, row, out, retract)
	if outErr != nil && r.Err != nil {
		r.Err = fmt.Errorf("%w; %w", r.Err, outErr)
	}
	return r, finished, err
}

// resultOf is result with the job's output, out, decoded.
func (d *Dispatcher) resultOf(ctx context.Context, ch, updateID string, row *rivertype.JobRow, out output, retract bool) (broadcast.Result, bool, error) {
	r := broadcast.Result{Channel: ch, Attempts: attempt(row)}
	r.Skipped, r.Superseded, r.NotSelected, r.Edited = out.Skipped, out.Superseded, out.NotSelected, out.Edited
	r.Failures, r.Pending = targetFailures(out.Failures), targetFailures(out.Pending)
	if row.AttemptedAt != nil && row.FinalizedAt != nil {
		r.Duration = row.FinalizedAt.Sub(*row.AttemptedAt)
	}
	last := lastError(row)
	switch row.State {
	case rivertype.JobStateCompleted:
		if !retract {
			rcpt, ok, err := d.cfg.Store.Receipt(ctx, updateID, ch)
			if err != nil {
				return r, false, fmt.Errorf("dispatch: report %s: %w", updateID, err)
			}
			r.Receipt = rcpt
			if !ok && out.Receipt != nil {
				r.Receipt = *out.Receipt // its record was lost: the run kept it
			}
		}
		if out.NotRecorded != "" {
			r.Err = broadcast.Permanent(&notRecordedError{text: out.NotRecorded})
		}
		return r, true, nil
	case rivertype.JobStateCancelled:
		if strayHandled(row) {
			r.Err = broadcast.Permanent(d.strayGivenUpError(row))
		} else {
			r.Err = broadcast.Permanent(cancelled(row, out))
		}
		return r, true, nil
	case rivertype.JobStateDiscarded:
		// River discards a job only when its own MaxAttempts runs out:
		// rescued again and again (it kills its workers), or enqueued
		// without the room for rescues (maxRescues) by an older version.
		r.Err = fmt.Errorf("gave up after %d attempts and %d interrupted runs: %w", r.Attempts, row.Attempt-r.Attempts, last)
		return r, true, nil
	}
	r.Err = ErrPending
	switch {
	case out.Waiting != "" && row.State != rivertype.JobStateRunning && len(row.Errors) <= out.WaitingErrors:
		// Snoozed, and no run failed since: River records no error for
		// a snooze.
		r.Err = fmt.Errorf("%w (waiting until %s): %s", ErrPending, row.ScheduledAt.UTC().Format(time.RFC3339), out.Waiting)
	case len(row.Errors) > 0: // River's rows have an empty list, not nil
		r.Err = fmt.Errorf("%w (%s); last attempt: %w", ErrPending, row.State, last)
	}
	return r, false, nil
}

// notRecordedError is the error, as the run recorded its text, of a
// delivery the Store could not record; it wraps broadcast.ErrNotRecorded.
type notRecordedError struct{ text string }

func (e *notRecordedError) Error() string { return e.text }
func (e *notRecordedError) Unwrap() error { return broadcast.ErrNotRecorded }

// lastError is the error of the job's last failed attempt, as River
// recorded its text.
func lastError(row *rivertype.JobRow) error {
	if len(row.Errors) == 0 {
		return errors.New("no error recorded")
	}
	return errors.New(row.Errors[len(row.Errors)-1].Error)
}

// riverCancelPrefix starts the text River records for the error of a job
// cancelled by JobCancel: that of the retry policy, or of an operator's
// cancel of a running job.
const riverCancelPrefix = "JobCancelError: "

// cancelled is the error of a cancelled job whose last run left out.
// River's Client.JobCancel (an operator's) marks the job's metadata with
// cancel_attempted_at, and records no error for a job that was not
// running; the policy's cancel (outcome) records its error.
func cancelled(row *rivertype.JobRow, out output) error {
	at := cancelAttemptedAt(row)
	if at == nil {
		return errors.New(strings.TrimPrefix(lastError(row).Error(), riverCancelPrefix))
	}
	// The error of the last attempt before the cancel, not that River
	// records for the cancel of a running job: the run's own, which it
	// kept in out, when the cancel reached the run before River recorded
	// its end.
	for _, ae := range slices.Backward(row.Errors) {
		if ae.Error == river.ErrJobCancelledRemotely.Error() && out.Error != "" && ae.Attempt == out.ErrorAttempt {
			return fmt.Errorf("%w at %s; last attempt: %s", ErrCancelledByOperator, at.UTC().Format(time.RFC3339), out.Error)
		}
		if ae.Error != river.ErrJobCancelledRemotely.Error() {
			return fmt.Errorf("%w at %s; last attempt: %s", ErrCancelledByOperator, at.UTC().Format(time.RFC3339),
				strings.TrimPrefix(ae.Error, riverCancelPrefix))
		}
	}
	return fmt.Errorf("%w at %s", ErrCancelledByOperator, at.UTC().Format(time.RFC3339))
}

// cancelAttemptedAt is when River's Client.JobCancel (an operator's) was
// called for the job, as it marks the job's metadata; nil when it was not.
func cancelAttemptedAt(row *rivertype.JobRow) *time.Time {
	var md struct {
		CancelAttemptedAt *time.Time `json:"cancel_attempted_at"`
	}
	if json.Unmarshal(row.Metadata, &md) != nil {
		return nil
	}
	return md.CancelAttemptedAt
}

func targetFailures(fs []failure) []broadcast.TargetFailure {
	var tfs []broadcast.TargetFailure
	for _, f := range fs {
		tfs = append(tfs, broadcast.TargetFailure{Target: f.Target, Err: errors.New(f.Error)})
	}
	return tfs
}
