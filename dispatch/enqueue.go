package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/internal/jsontime"
	"github.com/outagecast/outagecast/internal/pgretry"
)

// Job kinds in River's tables. Send, Correct and Retract have kinds of
// their own, so that a correction or a retraction is never taken for a
// duplicate of the send it is about.
const (
	KindSend    = "outagecast.send"
	KindCorrect = "outagecast.correct"
	KindRetract = "outagecast.retract"
)

// jobArgs is a job as River stores it: the broadcast.Job, and the update
// and channel it is unique by.
type jobArgs struct {
	Job      broadcast.Job `json:"job"`
	UpdateID string        `json:"update_id" river:"unique"`
	Channel  string        `json:"channel" river:"unique"`
}

// The args of each kind have jobArgs' fields. Not by embedding: River
// finds the river:"unique" tags only on exported fields.
type (
	sendArgs    jobArgs
	correctArgs jobArgs
	retractArgs jobArgs
)

func (sendArgs) Kind() string    { return KindSend }
func (correctArgs) Kind() string { return KindCorrect }
func (retractArgs) Kind() string { return KindRetract }

func (a sendArgs) job() broadcast.Job    { return a.Job }
func (a correctArgs) job() broadcast.Job { return a.Job }
func (a retractArgs) job() broadcast.Job { return a.Job }

// args is what the three kinds of job args share.
type args interface {
	river.JobArgs
	job() broadcast.Job
}

// metadata is set on every job, so that Report finds an update's jobs
// through River's index on it.
type metadata struct {
	Update  string `json:"outagecast_update,omitempty"`
	Retract string `json:"outagecast_retract,omitempty"`
	// Original is a correct job's original: the update it corrects, whose
	// retraction waits for it.
	Original string `json:"outagecast_original,omitempty"`
	// Channels are the channels a send or correct job's update was
	// enqueued for, so that Report knows them after River deleted some
	// of the jobs.
	Channels []string `json:"outagecast_channels,omitempty"`
}

// Enqueue queues u for delivery to every channel of the Broadcaster, one
// job per channel, and returns u's ID (derived from its content when
// empty, as Broadcaster.Send does). With a transaction tx, the jobs are
// inserted in it: they exist exactly when tx commits, so an update is
// queued if and only if the caller's own change is (the outbox pattern);
// while tx holds its connection, Enqueue may read the Store (whether the
// update was sent before), on another connection of the Pool when the
// Store shares it: such transactions open at once must leave the Pool a
// connection free. With a nil tx, Enqueue inserts them in a transaction
// of its own, which holds no connection while it reads the Store (a nil
// pointer of a concrete type, a nil *pgxpool.Tx, is refused: the error
// names tx; so do Correct and Retract). An
// insert waits for another transaction's uncommitted jobs of the same
// update: callers' transactions that each enqueue several of the same
// updates enqueue them in one order (by ID, say), or PostgreSQL fails one
// of two that wait for each other as a deadlock (SQLSTATE 40P01).
//
// An update without a Time takes the database's clock at Enqueue, not this
// instance's: every instance shares it, so the updates of an incident
// enqueued on instances whose clocks disagree are ordered as they were
// enqueued (an update found older than the one posted before it is
// superseded, never posted).
//
// Jobs are unique by update ID and channel: enqueueing the same update
// again, from this or another instance, at once or after its delivery,
// queues nothing (a job that failed for good is queued anew, and resumes
// with its Ledger; one delivered whose record the Store could not write
// did not fail, and is not). An update enqueued again without a Time of its own
// keeps the Time of its first jobs (or, once River has deleted them, the
// Time the Store knows: see broadcast.Broadcaster.SentTime), so that it
// stays older than the updates of its incident enqueued after it; with or
// without one, it keeps its first jobs' place among updates of equal Time
// (broadcast.Job.Made), also when those jobs never ran, as long as River
// keeps them (once it has deleted jobs that never ran, and so recorded no
// place in the Store, the update takes a new place, after those enqueued
// since). An
// update whose ID the jobs hold with other content (its Time aside) queues
// nothing, also when another transaction queued that content at the same
// moment: the error wraps ErrIDInUse. An invalid update queues nothing;
// the error wraps broadcast.ErrInvalidUpdate. On a read-only server (a
// standby: a failover under way, or a connection string that points at
// one) it queues nothing; its own transaction is tried again, each time on
// a new connection, for Config.ReconnectWait, then the error (as that of
// Correct and Retract) wraps pgstore.ErrReadOnly and says what to do.
func (d *Dispatcher) Enqueue(ctx context.Context, tx pgx.Tx, u broadcast.Update) (string, error) {
	if !d.made() {
		return "", errNotMade
	}
	jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobSend, u, "")
	if err == nil && ctx == nil {
		err = errNilContext
	}
	if err == nil {
		err = d.enqueue(ctx, tx, jobs, u.Time.IsZero(), nil, "")
	}
	if err != nil {
		return "", fmt.Errorf("dispatch: enqueue: %w", err)
	}
	return jobs[0].Update.ID, nil
}

// Correct queues the correction u of update original (see
// Broadcaster.Correct) as Enqueue queues an update, and returns u's ID,
// which Wait takes. A channel's correction waits (snoozed, no attempt used
// up) while that channel's delivery of original has not finished, as a
// retraction does (see Retract), and is queued for the channels of
// original's jobs too, as a retraction is. Like Broadcaster.Correct, it refuses (the
// error wraps broadcast.ErrInvalidUpdate and names the field) an original
// that was never enqueued (in tx too) and that no channel delivered, and
// a correction without an IncidentID whose derived one is not the
// original's: its Title changed, and it would start a thread of its own
// (see broadcast.Broadcaster.CheckOriginal).
func (d *Dispatcher) Correct(ctx context.Context, tx pgx.Tx, original string, u broadcast.Update) (string, error) {
	if !d.made() {
		return "", errNotMade
	}
	jobs, err := d.cfg.Broadcaster.Jobs(broadcast.JobCorrect, u, original)
	if err == nil && ctx == nil {
		err = errNilContext
	}
	if err == nil {
		err = d.enqueue(ctx, tx, jobs, u.Time.IsZero(), func(tx pgx.Tx, reads *storeReads) error {
			return d.checkOriginal(ctx, tx, reads, broadcast.JobCorrect, u, original, jobs[0].Update.IncidentID)
		}, original)
	}
	if err != nil {
		return "", fmt.Errorf("dispatch: correct: %w", err)
	}
	return jobs[0].Update.ID, nil
}

// Retract queues the deletion of update updateID's posts (see
// Broadcaster.Retract) as Enqueue queues an update; WaitRetract reports
// on it. A channel's retraction waits (snoozed, no attempt used up) while
// that channel's delivery of the update has not finished, so that it does
// not end as "not posted" and leave the post to go up after it. It is
// queued for the Broadcaster's channels and for those the update's jobs
// (while River keeps them) were enqueued for, which an instance with
// other channels (a rolling deploy) may have added. Like
// Broadcaster.Retract, it refuses (the error wraps
// broadcast.ErrInvalidUpdate and names updateID) an update never
// enqueued (in tx too) that no channel has a receipt of.
func (d *Dispatcher) Retract(ctx context.Context, tx pgx.Tx, updateID string) error {
	if !d.made() {
		return errNotMade
	}
	// Checked here too, so that the error names this argument, not Jobs'.
	err := broadcast.CheckID("updateID", updateID)
	if err == nil && ctx == nil {
		err = errNilContext
	}
	var jobs []broadcast.Job
	if err == nil {
		jobs, err = d.cfg.Broadcaster.Jobs(broadcast.JobRetract, broadcast.Update{}, updateID)
	}
	if err == nil {
		err = d.inTx(ctx, tx, func(tx pgx.Tx, reads *storeReads) error {
			if err := d.checkOriginal(ctx, tx, reads, broadcast.JobRetract, broadcast.Update{}, updateID, ""); err != nil {
				return err
			}
			all, err := d.alsoEnqueuedFor(ctx, tx, updateID, jobs)
			if err != nil {
				return err
			}
			_, err = d.insert(ctx, tx, all)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("dispatch: retract: %w", err)
	}
	return nil
}

// alsoEnqueuedFor returns jobs, a correction's or a retraction's of
// update original on this instance's channels, and one more for each
// channel original's jobs were enqueued for that this instance lacks (an
// instance with other channels enqueued it, in a rolling deploy): an
// instance that has the channel corrects or deletes the post there (see
// ErrUnknownChannel). original's jobs are a send's, or a correction's
// when original is one.
func (d *Dispatcher) alsoEnqueuedFor(ctx context.Context, tx pgx.Tx, original string, jobs []broadcast.Job) ([]broadcast.Job, error) {
	raw, err := json.Marshal(metadata{Update: original})
	if err != nil {
		return nil, err
	}
	list, err := d.client.JobListTx(ctx, tx, river.NewJobListParams().Metadata(string(raw)).Kinds(KindSend, KindCorrect).First(maxJobs))
	if err != nil {
		return nil, err
	}
	out := slices.Clone(jobs)
	for _, row := range list.Jobs {
		var md metadata
		if json.Unmarshal(row.Metadata, &md) != nil {
			continue
		}
		for _, ch := range md.Channels {
			if !slices.ContainsFunc(out, func(j broadcast.Job) bool { return j.Channel == ch }) {
				j := jobs[0]
				j.Channel = ch
				out = append(out, j)
			}
		}
	}
	return out, nil
}

// ErrIDInUse is wrapped by the error of Enqueue and Correct for an update
// whose ID the queue holds with other content: the jobs that failed would
// otherwise post the new content on their channels, beside the old one
// on the others. Give the new update an ID of its own.
var ErrIDInUse = errors.New("dispatch: the ID is in use by an update with other content")

// enqueue checks jobs, those of one update (of a correction of update
// original, when not ""), with check (if not nil) and
// against the update's jobs already queued (see matchFirst), and inserts
// them, in tx or in a transaction of its own. The check cannot see jobs that another
// transaction inserted and has not committed yet; the insert then waits
// for that transaction, and a job it finds already there by update and
// channel, which River skips as a duplicate, must hold the same content:
// otherwise the jobs are refused (ErrIDInUse), not reported queued while
// their content is dropped.
func (d *Dispatcher) enqueue(ctx context.Context, tx pgx.Tx, jobs []broadcast.Job, untimed bool, check func(pgx.Tx, *storeReads) error, original string) error {
	return d.inTx(ctx, tx, func(tx pgx.Tx, reads *storeReads) error {
		if check != nil {
			if err := check(tx, reads); err != nil {
				return err
			}
		}
		jobs := jobs // tried again on a broken connection: from the start
		if original != "" {
			var err error
			if jobs, err = d.alsoEnqueuedFor(ctx, tx, original, jobs); err != nil {
				return err
			}
		}
		if untimed {
			if err := dbTime(ctx, tx, jobs); err != nil {
				return err
			}
		}
		if err := d.matchFirst(ctx, tx, reads, jobs, untimed); err != nil {
			return err
		}
		res, err := d.insert(ctx, tx, jobs)
		if err != nil {
			return err
		}
		for _, r := range res {
			if !r.UniqueSkippedAsDuplicate {
				continue
			}
			if _, err := sameContent(r.Job, jobs[0].Update); err != nil {
				return err
			}
		}
		return nil
	})
}

// inTx runs f in a transaction that commits when f returns nil: a
// savepoint of tx, or when tx is nil a transaction of its own, run again
// on another connection when its connection broke, or reached a server
// that cannot write (a failover under way: that connection is closed, and
// the next try connects anew). Jobs are unique, so a transaction that
// committed without its answer adds nothing the second time. Jobs f
// inserted before it failed are undone, also in the caller's tx. A write
// the server refused as read-only (a standby: River's insert of the jobs,
// or its NOTIFY of them) fails, once ReconnectWait has run out, with
// pgstore.ErrReadOnly and what to do (see readOnly). f reads the Store
// through reads: in a transaction of its own, outside it (see storeReads).
func (d *Dispatcher) inTx(ctx context.Context, tx pgx.Tx, f func(pgx.Tx, *storeReads) error) error {
	if tx != nil && nilValue(tx) {
		// A nil *pgxpool.Tx, say, in a non-nil pgx.Tx: the driver would
		// panic on its first use.
		return fmt.Errorf("tx: a nil %T (pass a nil pgx.Tx for a transaction of its own)", tx)
	}
	reads := &storeReads{own: tx == nil}
	run := func(tx pgx.Tx) error { return f(tx, reads) }
	if tx != nil {
		return readOnly(pgx.BeginFunc(ctx, tx, run))
	}
	for {
		err := readOnly(d.outage.Do(ctx, func() error {
			return pgretry.OnConn(ctx, d.cfg.Pool, func(c *pgxpool.Conn) error { return pgx.BeginFunc(ctx, c, run) })
		}))
		if !errors.Is(err, errStoreRead) || reads.pending == nil {
			return err
		}
		// The transaction is undone and its connection released: the
		// read, then the transaction again, which finds the answer.
		read := reads.pending
		reads.pending = nil
		read(ctx)
	}
}

// storeReads are the Store's answers that Enqueue, Correct and Retract
// need. The Store may share the Pool (pgstore's does): a read of it in a
// transaction of the Dispatcher's own, which holds a connection of the
// Pool, waits for a second one, and as many such calls at once as the
// Pool has connections (a burst of updates) would each hold one and wait
// for another until their ctx ended. There, a step that needs an answer not
// read yet ends the transaction with errStoreRead, and inTx reads it
// without a connection held, then runs the transaction again. In the
// caller's transaction, the Store is read at once: the caller holds the
// connection either way.
type storeReads struct {
	own     bool                      // the transaction is the Dispatcher's own
	pending func(ctx context.Context) // the read asked for, with errStoreRead

	sent     *sentAnswer // Broadcaster.SentTime's, once read
	checked  bool        // Broadcaster.CheckOriginal's, once read, is checkErr
	checkErr error
}

type sentAnswer struct {
	t   time.Time
	ok  bool
	err error
}

// errStoreRead ends a transaction of the Dispatcher's own whose next step
// needs an answer of the Store not read yet (see storeReads).
var errStoreRead = errors.New("dispatch: the Store is to be read outside the transaction")

// ask runs read, which records an answer in r, at once, or, in a
// transaction of the Dispatcher's own, leaves it to inTx and returns
// errStoreRead.
func (r *storeReads) ask(ctx context.Context, read func(context.Context)) error {
	if r.own {
		r.pending = read
		return errStoreRead
	}
	read(ctx)
	return nil
}

// sentTime is Broadcaster.SentTime of updateID (see storeReads).
func (r *storeReads) sentTime(ctx context.Context, b *broadcast.Broadcaster, updateID string) (time.Time, bool, error) {
	if r.sent == nil {
		if err := r.ask(ctx, func(ctx context.Context) {
			t, ok, err := b.SentTime(ctx, updateID)
			r.sent = &sentAnswer{t: t, ok: ok, err: err}
		}); err != nil {
			return time.Time{}, false, err
		}
	}
	return r.sent.t, r.sent.ok, r.sent.err
}

// checkOriginal is Broadcaster.CheckOriginal (see storeReads).
func (r *storeReads) checkOriginal(ctx context.Context, b *broadcast.Broadcaster, kind broadcast.JobKind, u broadcast.Update, original string) error {
	if !r.checked {
		if err := r.ask(ctx, func(ctx context.Context) {
			r.checked, r.checkErr = true, b.CheckOriginal(ctx, kind, u, original)
		}); err != nil {
			return err
		}
	}
	return r.checkErr
}

// readOnly is err, as pgstore's writes give it: when a read-only server
// refused its statement (see pgretry.ReadOnly), it also matches
// pgstore.ErrReadOnly and says what to do about it.
func readOnly(err error) error {
	if pgretry.ReadOnly(err) && !errors.Is(err, pgstore.ErrReadOnly) {
		return pgretry.ReadOnlyError(pgstore.ErrReadOnly, err)
	}
	return err
}

// sameContent returns the broadcast.Job of job, queued for u's ID, and
// ErrIDInUse unless its update holds u's content (its Time aside).
func sameContent(job *rivertype.JobRow, u broadcast.Update) (broadcast.Job, error) {
	var a jobArgs
	if err := json.Unmarshal(job.EncodedArgs, &a); err != nil {
		return broadcast.Job{}, fmt.Errorf("job %d: %w", job.ID, err)
	}
	if contentKey(a.Job.Update) != contentKey(u) {
		return broadcast.Job{}, fmt.Errorf("%w: %s", ErrIDInUse, u.ID)
	}
	return a.Job, nil
}

// matchFirst checks jobs, those of an update about to be enqueued, against
// the update's first job, when it was enqueued before: the content must be
// the same (ErrIDInUse otherwise). When untimed (the update was given
// without a Time), jobs take that job's Time, or else the Time the Store
// knows the update was sent with: the same update, sent again to retry the
// channels whose jobs gave up, must not count as newer than the updates of
// its incident that followed it. For the same reason, send jobs take the
// first job's Made, the update's place among those of equal Time (see
// broadcast.Job.Made): a first job that never ran (an operator cancelled
// it) recorded no place in the Store, and the jobs' own, later one would
// make the update newer than those enqueued after its first Enqueue.
func (d *Dispatcher) matchFirst(ctx context.Context, tx pgx.Tx, reads *storeReads, jobs []broadcast.Job, untimed bool) error {
	row, err := d.firstJob(ctx, tx, jobs[0].Update.ID)
	if err != nil {
		return err
	}
	if row == nil {
		if !untimed {
			return nil
		}
		t, ok, err := reads.sentTime(ctx, d.cfg.Broadcaster, jobs[0].Update.ID)
		if ok {
			setTime(jobs, t)
		}
		return err
	}
	first, err := sameContent(row, jobs[0].Update)
	if err != nil {
		return err
	}
	if t := first.Update.Time; !t.IsZero() && untimed {
		setTime(jobs, t)
	}
	if !first.Made.IsZero() {
		for i := range jobs {
			if jobs[i].Kind == broadcast.JobSend {
				jobs[i].Made = first.Made
			}
		}
	}
	return nil
}

// firstJob returns the first job queued for update updateID, as tx sees
// the queue, finished or not; nil when there is none.
func (d *Dispatcher) firstJob(ctx context.Context, tx pgx.Tx, updateID string) (*rivertype.JobRow, error) {
	raw, err := json.Marshal(metadata{Update: updateID})
	if err != nil {
		return nil, err
	}
	params := river.NewJobListParams().Metadata(string(raw)).First(1).OrderBy(river.JobListOrderByID, river.SortOrderAsc)
	list, err := d.client.JobListTx(ctx, tx, params)
	if err != nil || len(list.Jobs) == 0 {
		return nil, err
	}
	return list.Jobs[0], nil
}

// checkOriginal is the check of update original that Correct (kind
// JobCorrect, u the correction, in incident, its derived or given
// IncidentID) and Retract make, as Broadcaster's do: the original's first
// job, queued or finished, says it exists and, for a correction without
// an IncidentID of its own, its incident; without jobs (River deleted
// them, or the update was sent by Broadcaster.Send) the Broadcaster checks
// the Store (see broadcast.Broadcaster.CheckOriginal).
func (d *Dispatcher) checkOriginal(ctx context.Context, tx pgx.Tx, reads *storeReads, kind broadcast.JobKind, u broadcast.Update, original, incident string) error {
	row, err := d.firstJob(ctx, tx, original)
	if err != nil {
		return err
	}
	if row == nil {
		return reads.checkOriginal(ctx, d.cfg.Broadcaster, kind, u, original)
	}
	var a jobArgs
	if err := json.Unmarshal(row.EncodedArgs, &a); err != nil {
		return fmt.Errorf("job %d: %w", row.ID, err)
	}
	if kind == broadcast.JobCorrect && u.IncidentID == "" && a.Job.Update.IncidentID != incident {
		return &broadcast.FieldError{Field: "IncidentID", Problem: fmt.Sprintf(
			"%q is not the incident of update %q; give the correction the IncidentID of the update it corrects", incident, original)}
	}
	return nil
}

// contentKey is what tells two updates' content apart: the ID that would
// be derived from it (see broadcast.Update.WithDefaults), which leaves the
// Time out.
func contentKey(u broadcast.Update) string {
	u.ID = ""
	return u.WithDefaults(time.Time{}).ID
}

// dbTime sets the Time of jobs, those of an update given without one, to
// the database's clock (see Enqueue).
func dbTime(ctx context.Context, tx pgx.Tx, jobs []broadcast.Job) error {
	var t time.Time
	if err := tx.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&t); err != nil {
		return fmt.Errorf("read the database's clock: %w", err)
	}
	setTime(jobs, t.UTC())
	return nil
}

func setTime(jobs []broadcast.Job, t time.Time) {
	for i := range jobs {
		jobs[i].Update.Time = t
	}
}

// insert inserts one River job per broadcast.Job in tx, in the order of
// their channels' names, whatever the Broadcaster's order: River's unique
// index makes an insert wait for another transaction's uncommitted job
// of the same update and channel, and two transactions inserting one
// update's jobs in other orders (instances whose channels are listed in
// other orders, or differ: a rolling deploy) would each wait for the
// other, until PostgreSQL failed one with a deadlock.
func (d *Dispatcher) insert(ctx context.Context, tx pgx.Tx, jobs []broadcast.Job) ([]*rivertype.JobInsertResult, error) {
	params := make([]river.InsertManyParams, len(jobs))
	channels := make([]string, len(jobs)) // the jobs are one update's, one per channel
	for i, j := range jobs {
		channels[i] = j.Channel
	}
	jobs = slices.SortedStableFunc(slices.Values(jobs), func(a, b broadcast.Job) int { return strings.Compare(a.Channel, b.Channel) })
	for i, j := range jobs {
		// River keeps the args as JSON, whose RFC 3339 cuts a zone's
		// offset to the minute: see jsontime.
		j.Update.Time, j.Update.NextUpdate = jsontime.Exact(j.Update.Time), jsontime.Exact(j.Update.NextUpdate)
		a := jobArgs{Job: j, UpdateID: j.Update.ID, Channel: j.Channel}
		md := metadata{Update: j.Update.ID, Channels: channels}
		var ra river.JobArgs
		switch j.Kind {
		case broadcast.JobSend:
			ra = sendArgs(a)
		case broadcast.JobCorrect:
			ra, md.Original = correctArgs(a), j.Original
		case broadcast.JobRetract:
			ra, md = retractArgs(a), metadata{Retract: j.Update.ID}
		default:
			return nil, fmt.Errorf("unknown job kind %q", j.Kind)
		}
		raw, err := json.Marshal(md)
		if err != nil {
			return nil, err
		}
		params[i] = river.InsertManyParams{Args: ra, InsertOpts: &river.InsertOpts{
			Queue:       d.cfg.Queue,
			MaxAttempts: d.cfg.Retry.MaxAttempts + maxRescues,
			Metadata:    raw,
			UniqueOpts:  river.UniqueOpts{ByArgs: true},
		}}
	}
	return d.client.InsertManyTx(ctx, tx, params)
}

// ErrNoJobs is returned by Report and Wait for an update with no jobs:
// never enqueued, or enqueued in a transaction not committed yet; for one
// whose jobs River deleted, only when the Store has no record of it
// either (see Report), and always by RetractReport.
var ErrNoJobs = errors.New("dispatch: no jobs for this update")
