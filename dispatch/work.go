package dispatch

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/internal/jsontime"
	"github.com/outagecast/outagecast/internal/panictext"
	"github.com/outagecast/outagecast/internal/slogguard"
)

// worker runs the jobs of one kind.
type worker[T args] struct {
	river.WorkerDefaults[T]
	d *Dispatcher
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	return w.d.work(ctx, job.JobRow, job.Args.job())
}

// decided tells strayFailures, through ctx, that work decided the job's
// next step: a panic after it (a bug of this package's: the caller's
// Logger and OnEvent are guarded) must not give up a job whose delivery
// was made and recorded.
func decided(ctx context.Context) {
	if ran, ok := ctx.Value(ranKey{}).(*bool); ok {
		*ran = true
	}
}

// Middleware wraps each run of the worker's jobs in strayFailures.
func (w *worker[T]) Middleware(*rivertype.JobRow) []rivertype.WorkerMiddleware {
	return []rivertype.WorkerMiddleware{&strayFailures{d: w.d}}
}

// ranKey keys the flag a worker sets in its run's ctx once work has
// decided the job's next step.
type ranKey struct{}

// strayFailures gives up a job whose run failed without work deciding
// its next step: args River could not decode (left by another version,
// or edited), a panic; and, as River's ErrorHandler, a run River failed
// before any middleware or worker saw it: a job of a kind this version
// does not know (rivertype.UnknownJobKindError), or whose row River could
// not decode. River would retry it by NextRetry, which past
// Retry.MaxElapsed has no time left to give: at once, again and again,
// until River's MaxAttempts. Past Retry.MaxElapsed or MaxAttempts, as
// outcome reckons them, such a run gives the job up as outcome does,
// with its error and EventFailed; within them, River retries it by the
// policy, with EventRetry, and the run counts as an attempt.
type strayFailures struct {
	river.MiddlewareDefaults
	d *Dispatcher
}

var _ river.ErrorHandler = (*strayFailures)(nil)

func (m *strayFailures) Work(ctx context.Context, row *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	defer func() {
		// A panic goes on to River (one within the limits, or after work
		// decided the job's next step),
		// which records and logs its text, as it can keep it and as
		// package panictext shows it, with its trace.
		if p := recover(); p != nil {
			panic(keepablePanic(p))
		}
	}()
	defer func() {
		if err != nil {
			err = judgedError{err} // HandleError leaves it alone
			m.d.judge(row)
		}
	}()
	m.d.retry.clock.sync(row)
	m.d.retry.ran.mark(row)
	ran := new(bool)
	defer func() {
		if *ran {
			return
		}
		p := recover()
		switch {
		case p == nil:
		case !m.d.exhausted(row):
			// Within the limits, the panic goes on to River, which
			// records it with its trace and retries the job.
			m.d.retryStray(ctx, row, fmt.Errorf("panic: %s", panictext.Text(p)))
			panic(p)
		default:
			m.d.cfg.Logger.LogAttrs(ctx, slog.LevelError, "dispatch: a job's run panicked",
				slog.Int64("job", row.ID), slog.String("panic", panictext.Text(p)), slog.String("trace", string(debug.Stack())))
			err = m.d.giveUpStray(ctx, row, fmt.Errorf("panic: %s", panictext.Text(p)))
		}
	}()
	err = doInner(context.WithValue(ctx, ranKey{}, ran))
	switch {
	case err == nil || *ran:
		return err
	case !m.d.exhausted(row):
		m.d.retryStray(ctx, row, err)
		return err
	}
	return m.d.giveUpStray(ctx, row, err)
}

// judgedError is the error of a run that went through strayFailures.Work,
// which judged it already; River records its text, which is err's, with
// its NULs replaced (see jsonbText).
type judgedError struct{ error }

func (e judgedError) Error() string { return jsonbText(e.error.Error()) }

func (e judgedError) Unwrap() error { return e.error }

// jsonbText is s as River can keep it in its jsonb columns (a run's error,
// its output): PostgreSQL's jsonb takes no NUL (\u0000), and River records
// the ends of the jobs its instance finished in one statement, which such
// a text fails, again and again: no job's end is recorded any more. A
// channel's error text may hold one (a server's reply quoted, a
// third-party adapter's error); it becomes U+FFFD, as invalid UTF-8 does.
func jsonbText(s string) string {
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// keepablePanic is the value of panic p as River may record and log it:
// River keeps fmt's %v of it in jsonb (see jsonbText) and logs it to
// Config.Logger, so it is the text package panictext shows of p (a
// runtime error, or p's type only: p may quote a secret), the trace River
// takes naming where p was raised.
func keepablePanic(p any) any {
	return jsonbText(panictext.Text(p))
}

// HandleError is River's ErrorHandler: River calls it for a run that
// failed but did not cancel or snooze its job, and for any run that
// failed of a job an operator cancelled while it ran, whose error River
// then replaces with ErrJobCancelledRemotely. A run that went through
// Work was judged there (see judge), and had its Event; any other failed
// before its middleware ran (River's JobRowDecodeErr, an
// UnknownJobKindError), and is judged here as Work judges a stray
// failure: past the limits, the job is given up, with EventFailed;
// within them, River retries it, with EventRetry; cancelled by an
// operator, River cancels it, with EventFailed wrapping
// ErrCancelledByOperator. River records the run's own error.
func (m *strayFailures) HandleError(ctx context.Context, row *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	// Cancelled, not discarded, on its last attempt too, as River's
	// JobCancel would have it.
	cancelled := errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely)
	if _, ok := m.d.judged.LoadAndDelete(weak.Make(row)); ok || errors.As(err, new(judgedError)) {
		if cancelled {
			return &river.ErrorHandlerResult{SetCancelled: true}
		}
		return nil
	}
	m.d.retry.clock.sync(row)
	if !m.d.exhausted(row) && !cancelled {
		m.d.retryStray(ctx, row, err)
		return nil
	}
	_ = m.d.giveUpStray(ctx, row, err)
	return &river.ErrorHandlerResult{SetCancelled: true}
}

// judge marks the run of row, which failed through Work, as judged:
// River gives HandleError, instead of the run's own error (a
// judgedError), its ErrJobCancelledRemotely when an operator cancelled
// the job while it ran, which the run had its Event for already. The
// mark goes when HandleError sees it, or with row once River lets go of
// it: River calls HandleError for no snooze or cancel of a job, unless
// an operator cancelled it.
func (d *Dispatcher) judge(row *rivertype.JobRow) {
	wp := weak.Make(row)
	if _, loaded := d.judged.LoadOrStore(wp, struct{}{}); !loaded {
		runtime.AddCleanup(row, func(wp weak.Pointer[rivertype.JobRow]) { d.judged.Delete(wp) }, wp)
	}
}

// HandlePanic leaves a panic to River: Work gives up a job whose run
// panicked past the limits itself.
func (m *strayFailures) HandlePanic(context.Context, *rivertype.JobRow, any, string) *river.ErrorHandlerResult {
	return nil
}

// exhausted reports whether the job of row, whose run failed, would be
// given up by outcome: its next retry would start past Retry.MaxElapsed,
// or it made its last attempt.
func (d *Dispatcher) exhausted(row *rivertype.JobRow) bool {
	n := attempt(row)
	return d.retry.delay(n) > d.elapsedLeft(row, d.retry.now()) || n >= d.cfg.Retry.MaxAttempts || row.Attempt >= row.MaxAttempts
}

// giveUpStray gives up the job of row, whose run failed with err before
// work decided its next step, with the error and the EventFailed outcome
// gives: one an operator cancelled while it ran is said cancelled, as
// outcome says it, whatever the limits.
func (d *Dispatcher) giveUpStray(ctx context.Context, row *rivertype.JobRow, err error) error {
	e := d.strayEvent(row)
	n := e.Attempt
	e.Err = d.strayGivenUp(n, d.elapsedLeft(row, d.retry.now()) < d.retry.delay(n), err)
	if errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely) {
		e.Err = fmt.Errorf("%w; the attempt under way: %w", ErrCancelledByOperator, err)
	}
	d.givenUp(ctx, row, e)
	d.emit(e, broadcast.EventFailed)
	return river.JobCancel(e.Err)
}

// retryStray reports, with EventRetry, the retry River makes of the job
// of row, whose run failed with err before work decided its next step,
// within the limits: by the backoff, as River schedules it (NextRetry).
// Without it, the run's EventAttempt, if it had one, was followed by no
// event, and the metrics' retries missed it. A job an operator cancelled
// meanwhile is cancelled by River instead: its Event is EventFailed,
// wrapping ErrCancelledByOperator, as finish says it.
func (d *Dispatcher) retryStray(ctx context.Context, row *rivertype.JobRow, err error) {
	e := d.strayEvent(row)
	e.Err = err
	e.Delay = d.retry.retryWait(row, d.retry.clock.read())
	if errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely) {
		// River cancels the job, as it does after outcome's error.
		e.Err, e.Delay = fmt.Errorf("%w; the attempt under way: %w", ErrCancelledByOperator, err), 0
		_ = d.finish(ctx, row, e, broadcast.EventFailed, nil)
		return
	}
	_ = d.finish(ctx, row, e, broadcast.EventRetry, nil)
}

// strayEvent is the Event of a run of the job of row that failed before
// work decided its next step, with what its args say, as far as they can
// be decoded.
func (d *Dispatcher) strayEvent(row *rivertype.JobRow) Event {
	var a jobArgs
	if json.Unmarshal(row.EncodedArgs, &a) != nil && !slices.Contains(d.channels, a.Channel) {
		// What can be decoded of args that do not decode in full: a
		// channel text no channel here has is no name to tell of, nor to
		// count by (Config.OnEvent's label: see package dispatch/metrics),
		// whatever the args held.
		a.Channel = ""
	}
	// The job's kind as River knows it, when its args do not say it
	// (Config.OnEvent counts by it: see package dispatch/metrics).
	e := Event{Job: cmp.Or(a.Job.Kind, jobKinds[row.Kind]), JobID: row.ID, Enqueued: row.CreatedAt}
	e.Channel, e.UpdateID, e.IncidentID, e.Attempt = a.Channel, a.UpdateID, a.Job.Update.IncidentID, attempt(row)
	return e
}

// jobKinds are the broadcast.JobKind of each of River's job kinds.
var jobKinds = map[string]broadcast.JobKind{KindSend: broadcast.JobSend, KindCorrect: broadcast.JobCorrect,
	KindRetract: broadcast.JobRetract}

// givenUp ends, for the Broadcaster, the job of e, given up: a
// retraction's record that it is under way, which older updates of the
// incident wait for (see broadcast.Broadcaster.EndJob), ends with it. A
// failure is logged: they then wait until their own Retry.MaxElapsed.
func (d *Dispatcher) givenUp(ctx context.Context, row *rivertype.JobRow, e Event) {
	if e.Job != broadcast.JobRetract || e.UpdateID == "" || e.Channel == "" {
		return
	}
	j := broadcast.Job{Kind: e.Job, Update: broadcast.Update{ID: e.UpdateID}, Channel: e.Channel}
	if err := d.cfg.Broadcaster.EndJob(context.WithoutCancel(ctx), j); err != nil {
		d.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "dispatch: a retraction given up is still recorded as under way: "+
			"older updates of its incident on the channel wait for it until their Retry.MaxElapsed",
			slog.Int64("job", row.ID), slog.String("channel", e.Channel), slog.String("update", e.UpdateID),
			slog.String("error", err.Error()))
	}
}

// strayGivenUp is the error of a job given up after n attempts, the last
// of which failed with err before work decided its next step: its next
// retry would have started past Retry.MaxElapsed (pastElapsed), or it
// made its last attempt.
func (d *Dispatcher) strayGivenUp(n int, pastElapsed bool, err error) error {
	if pastElapsed {
		return d.pastMaxElapsed(err)
	}
	return fmt.Errorf("gave up after %d attempts: %w", n, err)
}

// strayHandled reports whether row, a cancelled job's, is that of a job
// strayFailures.HandleError gave up, whose runs River failed before any
// middleware (a kind this version does not know, a row River cannot
// decode): River records the run's own error for it, not the one
// giveUpStray gave, which every other cancel by this package or by an
// operator (River's JobCancel) records, or marks the job for.
func strayHandled(row *rivertype.JobRow) bool {
	return len(row.Errors) > 0 && cancelAttemptedAt(row) == nil &&
		!strings.HasPrefix(row.Errors[len(row.Errors)-1].Error, riverCancelPrefix)
}

// strayGivenUpError is the error giveUpStray gave the job of row, which
// strayFailures.HandleError gave up (see strayHandled), as its EventFailed
// said it: within its attempts, it was given up past Retry.MaxElapsed;
// after its last, whether it was past MaxElapsed too depends on the time
// it was given up at, which the row does not hold exactly, and it is said
// given up after its attempts, as it is when it was not.
func (d *Dispatcher) strayGivenUpError(row *rivertype.JobRow) error {
	n := attempt(row)
	return d.strayGivenUp(n, n < d.cfg.Retry.MaxAttempts && row.Attempt < row.MaxAttempts, lastError(row))
}

func (w *worker[T]) NextRetry(job *river.Job[T]) time.Time {
	return w.d.retry.NextRetry(job.JobRow)
}

// Event is one step of a job, on the instance that runs it: the
// broadcast.Event of the step and the job's own facts.
//
// Kinds: EventAttempt when a run starts its attempt, before the
// Broadcaster finds whether the channel is to be tried (a run then found
// skipped, superseded, not selected or not tried has one; a run that
// waits without one has EventRetry alone: for an instance that has its
// channel, or for a database it could not read, until EventFailed past
// Retry.MaxElapsed (a job found waiting for its original, past the end
// of a job of the original enqueued then); for its original's delivery,
// as long as that is to come); then EventDelivered,
// EventSkipped, EventSuperseded or EventNotSelected when the job is done
// (EventDelivered with Err wrapping broadcast.ErrNotRecorded when the
// Store could not record the delivery, as the Broadcaster's own);
// EventRetry when it runs again after Delay (the wait River schedules:
// for a retry by Config.Retry's backoff, its jitter included; Snoozed: no attempt used up,
// for a RetryAfter hint of some wait, for as long as the job has existed
// (within Retry's intervals, or the hint's wait when longer) when the
// channel's own Close cut the run short (Err matches
// broadcast.ErrChannelClosed; given up past Retry.MaxElapsed), or because
// the channel was not tried: Err wraps broadcast.ErrBusy, or broadcast.ErrClosed when this instance's
// Broadcaster was closed while its Dispatcher runs, which the Logger also
// reports, once); EventFailed when it will not run again. Events come
// from runs: a job an operator cancels (River's Client.JobCancel) or
// deletes while it waits to run again has no run, so no Event follows
// its EventRetry (Report and Wait say it was cancelled); one cancelled
// while it runs ends with EventFailed wrapping ErrCancelledByOperator,
// unless the cancel reaches it only after the run's Event. A run that
// fails without an outcome (args that cannot be decoded, a panic, a job
// row River cannot decode or a kind this version does not know: see the
// package doc) ends with EventRetry, its Delay the backoff's wait River
// schedules, or past the limits with EventFailed, whether an
// EventAttempt came before it or not. Attempt
// counts attempts as Config.Retry does: a run after a snooze, or after its
// worker died, has the number of the attempt it resumes. Time is by the
// database's clock, as this instance reads it (its own clock plus its
// offset from the database's, measured at each run), as Enqueued is. A
// job given up whose args do not decode in full (edited, or left by
// another version) has what they held of its update, and its Channel
// only when that is one of this instance's channels: "" otherwise.
type Event struct {
	broadcast.Event
	Job      broadcast.JobKind
	JobID    int64
	Enqueued time.Time // when the job was inserted, by the database's clock
	Snoozed  bool
}

// work makes one run of a job: one attempt through the Broadcaster, whose
// outcome becomes River's next step for the job.
func (d *Dispatcher) work(ctx context.Context, row *rivertype.JobRow, j broadcast.Job) error {
	defer d.running.add(row.ID, j)()
	d.retry.clock.sync(row)
	d.checkClock(ctx)
	e := Event{Job: j.Kind, JobID: row.ID, Enqueued: row.CreatedAt}
	e.Channel, e.UpdateID, e.IncidentID, e.Attempt = j.Channel, j.Update.ID, j.Update.IncidentID, attempt(row)
	if !slices.Contains(d.channels, j.Channel) {
		// Enqueued by an instance with other channels (a rolling deploy):
		// not tried here, left for an instance that has the channel.
		kind, err := d.unknownChannel(ctx, row, j.Channel, &e)
		record(ctx, row, previous(row), waitingFor(e, kind))
		return d.finish(ctx, row, e, kind, err)
	}
	if original := awaited(j); original != "" {
		switch until, waiting, err := d.delivering(ctx, original, j.Channel, j.Kind == broadcast.JobRetract); {
		case err != nil && cutByStop(ctx):
			// The instance is stopping, which cut the read short: not the
			// database's failure. Run again at once elsewhere, no attempt
			// used up, as an attempt cut short is (see outcome), and not
			// given up, whatever is left of Retry.MaxElapsed.
			e.Err, e.Snoozed = err, true
			record(ctx, row, previous(row), waitingFor(e, broadcast.EventRetry))
			return d.finish(ctx, row, e, broadcast.EventRetry, d.retry.snooze(0))
		case err != nil:
			// The database could not be read: this instance's failure,
			// not the channel's, which was not tried. Snoozed, no attempt
			// used up (a failover would use up every waiting job's), until
			// Retry.MaxElapsed.
			kind, err := d.unread(row, err, &e)
			record(ctx, row, previous(row), waitingFor(e, kind))
			return d.finish(ctx, row, e, kind, err)
		case waiting:
			// Run now, it would find nothing posted (a retraction ends, a
			// correction posts in the thread), and the delivery would post
			// the original after it: it waits for the delivery, until
			// that may run again (within Retry's intervals: an operator
			// may bring it forward).
			e.Delay = min(max(until.Sub(d.retry.now()), d.cfg.Retry.InitialInterval), d.cfg.Retry.MaxInterval)
			e.Snoozed = true
			why := "waiting for the delivery of update " + original + " on the channel"
			if j.Kind == broadcast.JobRetract {
				why = "waiting for the delivery or correction of update " + original + " on the channel"
			}
			out, now := previous(row), d.retry.now()
			out.AwaitedAt = &now
			record(ctx, row, out, why)
			return d.finish(ctx, row, e, broadcast.EventRetry, d.retry.snooze(e.Delay))
		}
	}
	d.emit(e, broadcast.EventAttempt)
	// A Lock lost while the attempt runs (its session ended) is reported,
	// not acted on: stopping the attempt could cut it between its post and
	// the post's record, and the retry would post again. River keeps the
	// job from every other instance while it runs.
	lost := make(chan error, 1)
	rctx := pgstore.WithLockLost(ctx, func(err error) {
		select {
		case lost <- err:
		default:
		}
	})
	if j.Kind == broadcast.JobRetract {
		rctx = broadcast.WithJobEnd(rctx, d.jobEnd(row))
	}
	res := d.cfg.Broadcaster.RunJob(rctx, j, e.Attempt)
	select {
	case err := <-lost: // reported, if at all, before RunJob unlocked
		if res.Err != nil && !res.Unrecorded() {
			res.Err = fmt.Errorf("%w; the attempt under way: %w", err, res.Err)
		} else {
			d.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "dispatch: the job's lock was lost while its attempt ran, which succeeded: "+
				"the incident's other updates, a correction or a retraction of the update may have run on the channel meanwhile",
				slog.Int64("job", row.ID), slog.String("channel", j.Channel), slog.String("error", err.Error()))
		}
	default:
	}
	kind, err := d.outcome(ctx, row, res, &e)
	out := runOutput(row, res)
	if res.Err != nil && !broadcast.NotTried(res.Err) {
		out.Error, out.ErrorAttempt = res.Err.Error(), row.Attempt
	}
	record(ctx, row, out, waitingFor(e, kind))
	return d.finish(ctx, row, e, kind, err)
}

// cutByStop reports whether the run of ctx was cut short by its instance
// stopping (Stop, or Start's ctx ended), not by an operator's cancel of
// the job (River's Client.JobCancel) nor by Config.JobTimeout.
func cutByStop(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled) && !errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely)
}

// runOutput is the output a run that ended with res leaves for Report:
// its own, or the earlier run's when it did not try the channel (it
// waited for the channel, for a retraction under way, or found the
// Broadcaster closed), which says what is still pending and what failed.
func runOutput(row *rivertype.JobRow, res broadcast.Result) output {
	if broadcast.NotTried(res.Err) {
		return previous(row)
	}
	return newOutput(res)
}

// jobEnd is the time, by this instance's clock, past which the job of
// row runs no more: Retry.MaxElapsed after it was enqueued (by the
// database's clock), when its last retry or snooze may start, plus
// RescueAfter, within which a run ends or is taken for a dead worker's.
// A retraction's record that it is under way counts until then (see
// broadcast.WithJobEnd), whatever the Broadcaster's own RetryPolicy.
func (d *Dispatcher) jobEnd(row *rivertype.JobRow) time.Time {
	// One reading of the clocks: the time left by the database's, carried
	// to this instance's (two readings would differ by the time between).
	r := d.retry.clock.read()
	left := row.CreatedAt.Add(d.cfg.Retry.MaxElapsed).Sub(r.db)
	// Added one at a time: left plus RescueAfter can overflow a Duration
	// (a MaxElapsed of math.MaxInt64), and wrap into the past.
	return r.local.Add(left).Add(d.cfg.RescueAfter)
}

// maxClockOffset is the most this instance's clock may be off from the
// database's, as its runs measure it (see dbClock), before checkClock
// warns: within it, the fetch that stamped the job a moment before its
// run may account for it.
const maxClockOffset = 30 * time.Second

// minClockOffset is the least offset checkClock warns of, whatever the
// margin between Config.RescueAfter and JobTimeout.
const minClockOffset = time.Second

// checkClock warns, once, when this instance's clock is off from the
// database's by more than maxClockOffset, or by more than half the
// margin between Config.RescueAfter and JobTimeout (but not by less than
// minClockOffset). dispatch reads the jobs' times by the database's
// clock, but River's maintenance, run by
// whichever instance leads, goes by that instance's own: a leader ahead
// of the database by more than RescueAfter less JobTimeout takes the
// running jobs of live workers for dead ones, and has them run a second
// time; one behind holds back retries and snoozes longer than 5s by its
// lag.
func (d *Dispatcher) checkClock(ctx context.Context) {
	off := d.retry.clock.offsetOf()
	// Not under a second: the offset measured holds the moments between
	// the fetch that stamped the job and its run.
	limit := max(minClockOffset, min(maxClockOffset, (d.cfg.RescueAfter-d.cfg.JobTimeout)/2))
	if off.Abs() <= limit || !d.clockLogged.CompareAndSwap(false, true) {
		return
	}
	d.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "dispatch: this instance's clock is off from the database's: "+
		"ahead by more than RescueAfter less JobTimeout, while it leads River's maintenance, it takes running jobs for dead "+
		"ones and runs them a second time; behind, it holds back retries and snoozes; keep the clocks in sync (NTP)",
		slog.Duration("database_minus_instance", off.Round(time.Millisecond)))
}

// waitingFor is why a run that snoozed its job (e, kind) left it waiting,
// for Report: the run's error (a rate limit's, say); "" when the run did
// not snooze the job.
func waitingFor(e Event, kind broadcast.EventKind) string {
	if kind != broadcast.EventRetry || !e.Snoozed || e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// record keeps what a run has to say beyond the job's state in the job,
// for Report: out, and why the job waits (waiting, "" when it does not).
// A run that did not try the channel passes the earlier run's output
// (previous), which stands. With nothing to say, an earlier run's output
// stands, but not its reason to wait, which this run ended. Recording
// fails only for output of many megabytes, which newOutput's caps rule
// out.
func record(ctx context.Context, row *rivertype.JobRow, out output, waiting string) {
	if out, ok := recorded(row, out, waiting); ok {
		_ = river.RecordOutput(ctx, out)
	}
}

// recorded is the output record keeps in the job of row (see record),
// its texts as River can keep them (see jsonbText); ok is false when it
// keeps none.
func recorded(row *rivertype.JobRow, out output, waiting string) (_ output, ok bool) {
	out.Waiting, out.WaitingErrors = waiting, 0
	if waiting != "" {
		out.WaitingErrors = len(row.Errors)
	}
	if out.empty() {
		prev := previous(row)
		if prev.Waiting == "" {
			return output{}, false
		}
		prev.Waiting, prev.WaitingErrors = "", 0
		out = prev
	}
	return out.keepable(), true
}

// previous is the output an earlier run of the job recorded; zero when
// none did, or it cannot be read.
func previous(row *rivertype.JobRow) output {
	var out output
	if o := row.Output(); o != nil {
		_ = json.Unmarshal(o, &out)
	}
	return out
}

// finish reports the end of a run with its Event and returns River's next
// step, err. A job River is to run again that an operator cancelled
// meanwhile (Client.JobCancel) is cancelled by River instead, whatever is
// returned: the Event says so, as Report does. Without LISTEN (PollOnly,
// or a notification missed) the run was not told of the cancel; the job's
// metadata is read again to tell. err is returned as it is, so that River
// records the attempt's own error, which Report gives as the last attempt's.
func (d *Dispatcher) finish(ctx context.Context, row *rivertype.JobRow, e Event, kind broadcast.EventKind, err error) error {
	decided(ctx)
	if kind == broadcast.EventRetry && d.cancelledMeanwhile(ctx, row.ID) {
		if e.Err == nil { // not tried: it waited for its original
			e.Err = ErrCancelledByOperator
		} else {
			e.Err = fmt.Errorf("%w; the attempt under way: %w", ErrCancelledByOperator, e.Err)
		}
		e.Delay, e.Snoozed, kind = 0, false, broadcast.EventFailed
	}
	if kind == broadcast.EventFailed {
		d.givenUp(ctx, row, e)
	}
	d.emit(e, kind)
	return err
}

// cancelledMeanwhile reports whether an operator asked River to cancel job
// id. A job whose row cannot be read counts as not cancelled: River then
// cancels it all the same, and Report says so.
func (d *Dispatcher) cancelledMeanwhile(ctx context.Context, id int64) bool {
	if d.client == nil {
		return false // not made by New: no River to ask
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	row, err := d.client.JobGet(ctx, id)
	return err == nil && cancelAttemptedAt(row) != nil
}

// unread is the next step of a job that did not try its channel because
// the database could not be read (err): a snooze of
// Retry.InitialInterval (at most what is left of Retry.MaxElapsed), which
// uses up no attempt, or, past Retry.MaxElapsed, giving up. A correction
// or a retraction that an earlier run found waiting for its original's
// delivery, which it may wait for past its own MaxElapsed, reads again
// until the end a job of the original enqueued at that run would have
// (see jobEnd): one failed read (a failover) does not give it up.
func (d *Dispatcher) unread(row *rivertype.JobRow, err error, e *Event) (broadcast.EventKind, error) {
	e.Err = err
	now := d.retry.now()
	wait, ok := d.notTriedWait(row, now, d.cfg.Retry.InitialInterval)
	if at := previous(row).AwaitedAt; !ok && at != nil {
		// Added one at a time: MaxElapsed plus RescueAfter can overflow.
		if left := at.Add(d.cfg.Retry.MaxElapsed).Add(d.cfg.RescueAfter).Sub(now); left > 0 {
			wait, ok = min(d.cfg.Retry.InitialInterval, left), true
		}
	}
	if !ok {
		e.Err = d.pastMaxElapsed(err)
		return broadcast.EventFailed, river.JobCancel(e.Err)
	}
	e.Delay, e.Snoozed = wait, true
	return broadcast.EventRetry, d.retry.snooze(e.Delay)
}

// notTriedWait bounds wait, the snooze of a job of row that did not try
// its channel (waiting for the database, or for an instance that has the
// channel) or left it for an instance whose channel is open (see
// growingWait), by what is left of Retry.MaxElapsed at now: the last snooze
// ends at MaxElapsed, and the run after it gives the job up, rather than
// giving it up a whole wait early. ok is false when nothing is left.
func (d *Dispatcher) notTriedWait(row *rivertype.JobRow, now time.Time, wait time.Duration) (_ time.Duration, ok bool) {
	left := d.elapsedLeft(row, now)
	if left <= 0 {
		return 0, false
	}
	return min(wait, left), true
}

// growingWait is the snooze at now of a job of row left for another
// instance, no attempt used up, which therefore does not move the
// backoff: as long as the job has existed, from Retry.InitialInterval to
// MaxInterval, so that the waits grow while no instance that takes it can
// run it, never 0. Bounded by notTriedWait, the last one ends at
// Retry.MaxElapsed; ok is false once nothing of it is left.
func (d *Dispatcher) growingWait(row *rivertype.JobRow, now time.Time) (_ time.Duration, ok bool) {
	return d.notTriedWait(row, now, min(max(now.Sub(row.CreatedAt), d.cfg.Retry.InitialInterval), d.cfg.Retry.MaxInterval))
}

// unknownChannel is the next step of a job whose channel is not one of
// this instance's (ErrUnknownChannel): a snooze, no attempt used up, by
// growingWait (the waits grow while no instance that takes it has the
// channel; the last one ends at Retry.MaxElapsed), or, past
// Retry.MaxElapsed, giving up. The Logger says so, once per channel.
func (d *Dispatcher) unknownChannel(ctx context.Context, row *rivertype.JobRow, channel string, e *Event) (broadcast.EventKind, error) {
	e.Err = fmt.Errorf("%w: %q", ErrUnknownChannel, channel)
	wait, ok := d.growingWait(row, d.retry.now())
	if !ok {
		e.Err = d.pastMaxElapsed(e.Err)
		return broadcast.EventFailed, river.JobCancel(e.Err)
	}
	if _, logged := d.unknownLogged.LoadOrStore(channel, true); !logged {
		d.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "dispatch: a job's channel is not one of this instance's channels: "+
			"it waits for an instance that has it; give every instance the same channels",
			slog.String("channel", channel), slog.Int64("job", row.ID))
	}
	e.Delay, e.Snoozed = wait, true
	return broadcast.EventRetry, d.retry.snooze(wait)
}

// elapsedLeft is what is left of Retry.MaxElapsed at now for the job of
// row, by the database's clock. A job that now finds created later (the
// clock's offset measured a moment short, by the run of another job; a
// clock stepped back) has used up none of it: MaxElapsed less a negative
// time overflowed for a MaxElapsed near the largest Duration ("no limit"),
// to a negative time left, and the job was given up.
func (d *Dispatcher) elapsedLeft(row *rivertype.JobRow, now time.Time) time.Duration {
	return d.cfg.Retry.MaxElapsed - max(now.Sub(row.CreatedAt), 0)
}

// pastMaxElapsed is the error of a job given up because its next run
// would start past Retry.MaxElapsed; last is its last run's.
func (d *Dispatcher) pastMaxElapsed(last error) error {
	return fmt.Errorf("gave up: the next attempt would start more than Retry.MaxElapsed (%v) after the job was enqueued; last attempt: %w",
		d.cfg.Retry.MaxElapsed, last)
}

// awaited returns the update whose delivery j must wait for: for a
// retraction, the update it deletes; for a correction, the update it
// corrects (edits in place, or follows in the thread); "" for a send.
func awaited(j broadcast.Job) string {
	switch j.Kind {
	case broadcast.JobRetract:
		return j.Update.ID
	case broadcast.JobCorrect:
		return j.Original
	}
	return ""
}

// delivering reports whether a send or correct job of updateID on channel
// has not finished: still to run, running, or waiting to retry; with
// corrections, also a correct job of a correction of updateID (a
// retraction waits for those: run after it, a correction would post
// "Correction: …" of a post that is gone). until is when the first of
// those jobs may run next: now, unless all wait to retry.
func (d *Dispatcher) delivering(ctx context.Context, updateID, channel string, corrections bool) (until time.Time, waiting bool, err error) {
	filters := []metadata{{Update: updateID}}
	if corrections {
		filters = append(filters, metadata{Original: updateID})
	}
	for _, md := range filters {
		list, err := d.jobs(ctx, md, river.NewJobListParams().Kinds(KindSend, KindCorrect).
			States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled))
		if err != nil {
			return time.Time{}, false, fmt.Errorf("dispatch: look for the delivery of %s: %w", updateID, err)
		}
		for _, row := range list {
			var a jobArgs
			if json.Unmarshal(row.EncodedArgs, &a) != nil || a.Channel != channel {
				continue
			}
			next := row.ScheduledAt
			if row.State != rivertype.JobStateRetryable && row.State != rivertype.JobStateScheduled {
				next = d.retry.now()
			}
			if !waiting || next.Before(until) {
				until = next
			}
			waiting = true
		}
	}
	return until, waiting, nil
}

// outcome maps a run's Result to River's next step, and says which Event
// reports it.
func (d *Dispatcher) outcome(ctx context.Context, row *rivertype.JobRow, res broadcast.Result, e *Event) (broadcast.EventKind, error) {
	switch {
	case res.Err == nil && res.Skipped:
		return broadcast.EventSkipped, nil
	case res.Err == nil && res.Superseded:
		return broadcast.EventSuperseded, nil
	case res.Err == nil && res.NotSelected:
		return broadcast.EventNotSelected, nil
	case res.Err == nil:
		e.Receipt, e.Edited = res.Receipt, res.Edited
		return broadcast.EventDelivered, nil
	case res.Unrecorded():
		// Delivered: the platform has it. Only its record is missing;
		// the job completes, so that the update enqueued again queues
		// nothing, and Report says so, as Send's Result does.
		e.Receipt, e.Edited, e.Err = res.Receipt, res.Edited, res.Err
		return broadcast.EventDelivered, nil
	}
	e.Err = res.Err
	if errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely) {
		// An operator cancelled the job (River's Client.JobCancel) while
		// it ran: River cancels it whatever is returned; the Event says so.
		e.Err = fmt.Errorf("%w; the attempt under way: %w", ErrCancelledByOperator, res.Err)
		return broadcast.EventFailed, river.JobCancel(e.Err)
	}
	if broadcast.IsPermanent(res.Err) {
		return broadcast.EventFailed, river.JobCancel(res.Err)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		// The instance is stopping: run it again at once elsewhere,
		// without using up an attempt; but not before a wait the
		// platform asked for in the run (targets that answered 429 before
		// the cancel reached the others).
		wait, _ := broadcast.RetryDelay(res.Err)
		wait = max(wait, 0)
		// Only a wait past MaxElapsed gives the job up: without one, a job
		// stopped late in its time runs again at once, as Stop says.
		if left := d.elapsedLeft(row, d.retry.now()); wait > 0 && wait > left {
			e.Err = d.pastMaxElapsed(res.Err)
			return broadcast.EventFailed, river.JobCancel(e.Err)
		}
		e.Delay, e.Snoozed = wait, true
		return broadcast.EventRetry, d.retry.snooze(wait)
	}
	// One reading of the clocks for the decision: the time left, and the
	// wait of an ordinary retry.
	n, clocks := attempt(row), d.retry.clock.read()
	now := clocks.db
	delay, hinted := broadcast.RetryDelay(res.Err)
	// The platform's wait, or the backoff's when longer, as within a
	// Send: a snooze uses up no attempt, and a hint of no wait or of a
	// moment (a 503's "Retry-After: 0", a date already past) would run
	// the job again at once, again and again, until Retry.MaxElapsed.
	// One of no wait is no wait asked for: an ordinary retry.
	switch {
	case hinted && delay <= 0:
		hinted = false
	case hinted:
		delay = max(delay, d.retry.delay(n))
	}
	switch {
	case errors.Is(res.Err, broadcast.ErrBusy):
		// The channel was not tried: another attempt on it (of this
		// update, or of the incident's other updates) outlasted
		// JobTimeout, or the lock's database did not answer within it.
		// Soon again, without using an attempt.
		delay, hinted = d.cfg.Retry.InitialInterval, true
	case errors.Is(res.Err, broadcast.ErrClosed):
		// The channel was not tried: the Broadcaster was closed while
		// this Dispatcher runs. Run at once, the job would come straight
		// back here; it waits, without using an attempt, for another
		// instance to take it. It is never given up for it, not even
		// past Retry.MaxElapsed: the job was not tried, by the fault of
		// this instance, and one accepted is not dropped.
		d.closedOnce.Do(func() {
			d.cfg.Logger.LogAttrs(ctx, slog.LevelError, "dispatch: this instance's Broadcaster is closed while its Dispatcher runs: "+
				"its jobs wait for other instances; stop the Dispatcher before closing its Broadcaster",
				slog.Duration("wait", d.cfg.Retry.InitialInterval))
		})
		e.Delay, e.Snoozed = d.cfg.Retry.InitialInterval, true
		return broadcast.EventRetry, d.retry.snooze(e.Delay)
	case errors.Is(res.Err, broadcast.ErrChannelClosed):
		// The channel's own Close cut the run short (see
		// broadcast.ErrChannelClosed): no failure of the platform's, and
		// another instance, whose channel is open, may deliver it. It
		// waits without using an attempt, so the attempt's backoff would
		// never grow: it waits as a job of a channel this instance lacks
		// does (see growingWait), so that an instance whose channel stays
		// closed takes it back less and less often, or for the wait the
		// platform asked for in the run when longer; past
		// Retry.MaxElapsed it is given up.
		wait, ok := d.growingWait(row, now)
		if !ok {
			e.Err = d.pastMaxElapsed(res.Err)
			return broadcast.EventFailed, river.JobCancel(e.Err)
		}
		hint, _ := broadcast.RetryDelay(res.Err)
		delay, hinted = max(hint, wait), true
	}
	if !hinted {
		delay = d.retry.delay(n)
	}
	// By the database's clock, which stamped CreatedAt: this instance's
	// may be off, and a job would be given up early or late by as much.
	// The same now as growingWait's: a wait it bounds by what is left
	// fits what is left here.
	if left := d.elapsedLeft(row, now); delay > left {
		// A run that did not try the channel (it waited for the channel,
		// or for a retraction under way) waits out what is left, as a
		// job of a channel this instance lacks does: the wait is this
		// package's, not the platform's, and the job is tried once more.
		wait, ok := d.notTriedWait(row, now, delay)
		if !broadcast.NotTried(res.Err) || !ok {
			e.Err = d.pastMaxElapsed(res.Err)
			return broadcast.EventFailed, river.JobCancel(e.Err)
		}
		delay = wait
	}
	e.Delay = delay
	// A retry that reached targets (rooms, recipients, endpoints) no
	// earlier run had, as a channel fanning out under a platform's rate
	// limit does, uses up no attempt, as within a Send (see
	// broadcast.RetryPolicy); the first run always counts, and
	// Retry.MaxElapsed ends it all the same.
	if hinted || n > 1 && len(res.Delivered) > 0 {
		e.Snoozed = true
		return broadcast.EventRetry, d.retry.snooze(delay)
	}
	// The policy gives up, not River: River's MaxAttempts leaves room
	// for the runs its rescuer took back from dead workers (maxRescues),
	// which attempt does not count. River would discard the job at its
	// own MaxAttempts: it is given up here first, with this error.
	if n >= d.cfg.Retry.MaxAttempts || row.Attempt >= row.MaxAttempts {
		e.Err = fmt.Errorf("gave up after %d attempts: %w", n, res.Err)
		return broadcast.EventFailed, river.JobCancel(e.Err)
	}
	// River schedules the retry by NextRetry: the backoff jittered, and
	// not past MaxElapsed.
	e.Delay = d.retry.retryWait(row, clocks)
	return broadcast.EventRetry, res.Err
}

// maxRescues is the room River's MaxAttempts leaves above
// Config.Retry.MaxAttempts: a job survives at least that many runs cut
// short by the death of their worker. A job that keeps killing its
// workers is discarded by River's rescuer after that many more runs.
const maxRescues = 10

// rescuedError is the error River's rescuer (internal/maintenance's
// JobRescuer) records on a job it takes back from a dead worker.
const rescuedError = "Stuck job rescued by JobRescuer"

// attempt is the number of the job's attempt by Config.Retry: River's
// count of its runs (row.Attempt, in which snoozed runs are not counted)
// less the runs its rescuer took back from dead workers, which never came
// to an outcome. A run after a rescue resumes the interrupted attempt,
// and has its number.
func attempt(row *rivertype.JobRow) int {
	n := row.Attempt
	for _, e := range row.Errors {
		if e.Error == rescuedError {
			n--
		}
	}
	return max(n, 0)
}

func (d *Dispatcher) emit(e Event, kind broadcast.EventKind) {
	if d.cfg.OnEvent == nil {
		return
	}
	// By the database's clock, as Enqueued is: the time between them
	// must not take in this instance's offset from it.
	e.Kind, e.Time = kind, d.retry.now()
	d.eventMu.Lock()
	defer d.eventMu.Unlock()
	// A panic in it is logged, as the Broadcaster logs one in its
	// Options.OnEvent: an observer's bug must not fail the run. Gone on to
	// River, it failed a job delivered already, which River ran again
	// (posting it twice when the Store had not recorded the delivery),
	// until River's MaxAttempts.
	defer slogguard.Recover(d.cfg.Logger, "dispatch: Config.OnEvent", slog.Int64("job", e.JobID), slog.String("event", string(e.Kind)))
	d.cfg.OnEvent(e)
}

// retryPolicy is River's retry policy for the jobs: exponential backoff
// with ±50% jitter, capped at MaxInterval, by the database's clock.
type retryPolicy struct {
	broadcast.RetryPolicy
	clock *dbClock // nil: this instance's clock
	// rescueAfter is Config.RescueAfter: a run that started that long ago
	// and did not run here is one River's rescuer took back from a dead
	// worker; 0: none is.
	rescueAfter time.Duration
	// ran marks the rows of the runs of this instance (nil: none).
	ran *ranRows
}

// ranRows marks the job rows (weak.Pointer[rivertype.JobRow]) whose run
// this instance's workers started: River asks NextRetry with that row
// once the run failed, and its rescuer with a row it read from the
// database. A mark goes with its row, once River lets go of it.
type ranRows struct{ m sync.Map }

func (r *ranRows) mark(row *rivertype.JobRow) {
	if r == nil {
		return
	}
	wp := weak.Make(row)
	if _, loaded := r.m.LoadOrStore(wp, struct{}{}); !loaded {
		runtime.AddCleanup(row, func(wp weak.Pointer[rivertype.JobRow]) { r.m.Delete(wp) }, wp)
	}
}

func (r *ranRows) has(row *rivertype.JobRow) bool {
	if r == nil {
		return false
	}
	_, ok := r.m.Load(weak.Make(row))
	return ok
}

// now is the database's time, as far as this instance can tell.
func (p retryPolicy) now() time.Time { return p.clock.now() }

// dbClock is this instance's reading of the database's clock, by which
// River stamps a job's times (created_at, attempted_at) and schedules it
// (scheduled_at is compared with the database's now()): this instance's
// clock, plus its offset from the database's, measured at each run's start
// from the job's AttemptedAt, which River's fetch set by the database's
// clock a moment before (the offset is that much short). Before the first
// run on this instance, the offset is 0.
type dbClock struct {
	offset atomic.Int64
	// readLocal reads this instance's clock; nil: time.Now. Tests set a
	// fake one.
	readLocal func() time.Time
}

// sync measures the offset on the job row of a run starting.
func (c *dbClock) sync(row *rivertype.JobRow) {
	if c != nil && row.AttemptedAt != nil {
		c.offset.Store(int64(row.AttemptedAt.Sub(c.local())))
	}
}

func (c *dbClock) now() time.Time { return c.read().db }

// reading is one reading of the clocks: this instance's, and the
// database's as far as this instance can tell. A decision that needs
// both, or needs one twice, reads them once: two readings would differ
// by the time between them.
type reading struct{ local, db time.Time }

// read reads the clocks; for a nil clock too.
func (c *dbClock) read() reading {
	local := c.local()
	return reading{local: local, db: local.Add(c.offsetOf())}
}

// local reads this instance's clock, by which River schedules (see
// backoff); for a nil clock too.
func (c *dbClock) local() time.Time {
	if c == nil || c.readLocal == nil {
		return time.Now()
	}
	return c.readLocal()
}

// offsetOf is the database's clock less this instance's; 0 for a nil
// clock.
func (c *dbClock) offsetOf() time.Duration {
	if c == nil {
		return 0
	}
	return time.Duration(c.offset.Load())
}

// snooze is River's snooze of a job for delay by the database's clock.
// River schedules a snooze by this instance's clock (scheduled_at is its
// time.Now() plus the snooze) and runs the job once scheduled_at is past
// by the database's: the snooze is delay plus this instance's offset from
// the database's clock. An instance ahead of the database by more than
// delay cannot be made to snooze less than 0: its job runs late by the
// difference; one behind it by more than the longest Duration less delay
// snoozes for the longest Duration. A snooze for 0 (run again at once) stays 0: a time in the
// past by the database's clock makes River run it as soon, and one in the
// future would wait for River's scheduler to make it available.
func (p retryPolicy) snooze(delay time.Duration) error {
	if delay == 0 {
		return river.JobSnooze(0)
	}
	offset := p.clock.offsetOf()
	if offset > 0 && delay > math.MaxInt64-offset {
		// The sum would overflow to below 0, a snooze for 0: the
		// longest wait there is instead.
		return river.JobSnooze(math.MaxInt64)
	}
	return river.JobSnooze(max(delay+offset, 0))
}

// delay is the wait after attempt, before jitter: InitialInterval doubled
// for each attempt after the first, up to MaxInterval. The doubling stops
// at MaxInterval rather than shift past it: a shift that overflows can
// wrap to a short positive wait (13h7m59s doubled 24 times is 1m34s).
func (p retryPolicy) delay(attempt int) time.Duration {
	d := p.InitialInterval
	for range max(attempt-1, 0) {
		if d <= 0 || d > p.MaxInterval/2 {
			return p.MaxInterval
		}
		d *= 2
	}
	if d <= 0 || d > p.MaxInterval {
		return p.MaxInterval
	}
	return d
}

// jitter is d ±50%, at most MaxInterval. It is drawn from the job's ID
// and River's count of its runs, the same at each call for one run: the
// EventRetry of the run says the wait NextRetry then gives River.
func (p retryPolicy) jitter(row *rivertype.JobRow, d time.Duration) time.Duration {
	r := rand.New(rand.NewPCG(uint64(row.ID), uint64(row.Attempt)))
	// In uint64: for a d near the largest Duration (a MaxInterval of
	// math.MaxInt64 for "no cap"), d+1 and d/2+d overflow a Duration.
	return time.Duration(min(uint64(d/2)+r.Uint64N(uint64(d)+1), uint64(p.MaxInterval)))
}

// NextRetry implements river.ClientRetryPolicy; River's rescuer uses it
// for the jobs of dead workers, which run again at once: their run was
// cut short, not failed, and the next resumes its attempt (see attempt).
// A run of this instance's that failed is retried by the backoff, however
// long it ran.
func (p retryPolicy) NextRetry(row *rivertype.JobRow) time.Time {
	r := p.clock.read()
	if p.rescueAfter > 0 && row.AttemptedAt != nil && !p.ran.has(row) && r.db.Sub(*row.AttemptedAt) >= p.rescueAfter {
		// Started RescueAfter ago, and not a run of this instance's
		// that returned (one recording past JobTimeout while the
		// database was away may outlast RescueAfter): River's rescuer
		// takes it back. No backoff: the attempt did not fail.
		return r.local // River's own clock: not before it (see backoff)
	}
	return p.backoff(row, r)
}

// retryWait is the wait, from r, until the retry of the job of row by the
// backoff (see backoff): the Delay of its EventRetry, the wait River
// schedules (NextRetry, which reads the clocks when the run returned).
func (p retryPolicy) retryWait(row *rivertype.JobRow, r reading) time.Duration {
	return max(p.backoff(row, r).Sub(r.db), 0)
}

// backoff is the time of the retry of the job of row, whose run failed,
// with the clocks read at r: after the backoff of its attempt, jittered,
// by the database's clock.
func (p retryPolicy) backoff(row *rivertype.JobRow, r reading) time.Time {
	next := r.db.Add(p.jitter(row, p.delay(attempt(row))))
	if p.MaxElapsed > 0 && !row.CreatedAt.IsZero() {
		// outcome let the retry through on the delay before jitter; the
		// jitter must not take it past MaxElapsed either.
		if last := row.CreatedAt.Add(p.MaxElapsed); next.After(last) {
			next = last
		}
	}
	// River takes a time before its instance's clock for a mistake of
	// the policy and retries by its own default instead (attempt⁴
	// seconds): an instance ahead of the database runs the retry late by
	// its lead, as it does a snooze, and no later.
	if next.Before(r.local) {
		next = r.local
	}
	return next
}

// output is what a run records in its job for Report: what the Result says
// beyond the job's state. Lists are capped, as River keeps the output in
// the job's metadata.
type output struct {
	Skipped     bool      `json:"skipped,omitempty"`
	Superseded  bool      `json:"superseded,omitempty"`
	NotSelected bool      `json:"not_selected,omitempty"`
	Edited      bool      `json:"edited,omitempty"`
	Delivered   int       `json:"delivered_targets,omitempty"`
	Failures    []failure `json:"failures,omitempty"`
	Pending     []failure `json:"pending,omitempty"`
	// Waiting is why the job waits to run again without using up an
	// attempt (a rate limit's answer, an original's delivery to wait for);
	// "" when the run did not snooze it. WaitingErrors is how many errors
	// River had recorded of the job then: one recorded since (a run whose
	// worker died, which River's rescuer ends with an error) is newer.
	Waiting       string `json:"waiting,omitempty"`
	WaitingErrors int    `json:"waiting_errors,omitempty"`
	// NotRecorded is the error of a delivery the Store could not record
	// (see broadcast.Result.Unrecorded), and Receipt its receipt, which the Store may lack.
	NotRecorded string             `json:"not_recorded,omitempty"`
	Receipt     *broadcast.Receipt `json:"receipt,omitempty"`
	// AwaitedAt is when, by the database's clock, a run last found the
	// original this job waits for still to come (see unread).
	AwaitedAt *time.Time `json:"awaited_at,omitempty"`
	// Error is the error of the run's attempt, when it failed, and
	// ErrorAttempt River's number of that run: River records its own
	// error (ErrJobCancelledRemotely) instead of the run's when an
	// operator's cancel (Client.JobCancel) reaches the run before River
	// recorded its end, and Report gives this one (see cancelled).
	Error        string `json:"error,omitempty"`
	ErrorAttempt int    `json:"error_attempt,omitempty"`
}

func (o output) empty() bool {
	return !o.Skipped && !o.Superseded && !o.NotSelected && !o.Edited && o.Delivered == 0 && o.Failures == nil &&
		o.Pending == nil && o.Waiting == "" && o.NotRecorded == "" && o.AwaitedAt == nil && o.Error == ""
}

// keepable is o with its texts as River can keep them (see jsonbText), and
// its receipt's times as JSON keeps their instants (see jsontime).
func (o output) keepable() output {
	o.Waiting, o.NotRecorded, o.Error = jsonbText(o.Waiting), jsonbText(o.NotRecorded), jsonbText(o.Error)
	o.Failures, o.Pending = keepableFailures(o.Failures), keepableFailures(o.Pending)
	if o.Receipt != nil {
		r := *o.Receipt
		r.Channel, r.ID, r.URL, r.UpdateID = jsonbText(r.Channel), jsonbText(r.ID), jsonbText(r.URL), jsonbText(r.UpdateID)
		// RFC 3339 cuts a zone's offset to the minute: see jsontime.
		r.Time, r.UpdateTime = jsontime.Exact(r.Time), jsontime.Exact(r.UpdateTime)
		if r.Meta != nil {
			meta := make(map[string]string, len(r.Meta))
			for k, v := range r.Meta {
				meta[jsonbText(k)] = jsonbText(v)
			}
			r.Meta = meta
		}
		o.Receipt = &r
	}
	return o
}

func keepableFailures(fs []failure) []failure {
	out := slices.Clone(fs)
	for i := range out {
		out[i].Target, out[i].Error = jsonbText(out[i].Target), jsonbText(out[i].Error)
	}
	return out
}

type failure struct {
	Target string `json:"target"`
	Error  string `json:"error"`
}

// maxListed caps the targets an output lists.
const maxListed = 100

func newOutput(res broadcast.Result) output {
	out := output{Skipped: res.Skipped, Superseded: res.Superseded, NotSelected: res.NotSelected, Edited: res.Edited,
		Delivered: len(res.Delivered), Failures: failures(res.Failures), Pending: failures(res.Pending)}
	if res.Unrecorded() {
		out.NotRecorded = res.Err.Error()
		if res.Receipt.ID != "" || res.Receipt.URL != "" || len(res.Receipt.Meta) > 0 {
			out.Receipt = &res.Receipt
		}
	}
	return out
}

func failures(tfs []broadcast.TargetFailure) []failure {
	var fs []failure
	for _, tf := range tfs[:min(len(tfs), maxListed)] {
		fs = append(fs, failure{Target: tf.Target, Error: tf.Err.Error()})
	}
	return fs
}

// ErrUnknownChannel is wrapped by the error of a run of a job whose
// channel is not one of this instance's Broadcaster's: in a rolling
// deploy that changes the channels, a job an instance on the other
// configuration enqueued. The run does not try the channel and leaves the
// job, without using up an attempt, for an instance that has it; past
// Config.Retry.MaxElapsed it is given up.
var ErrUnknownChannel = errors.New("dispatch: the job's channel is not one of this instance's channels")
