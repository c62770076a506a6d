// Package dispatch delivers updates durably from any number of instances
// sharing one PostgreSQL database, on River (a job queue in PostgreSQL):
// each update becomes one job per channel, inserted in the caller's own
// transaction (the outbox pattern), unique by update and channel, and run
// by whichever instance's workers take it, one attempt per run, through
// the Broadcaster's delivery for that channel.
//
//	pool, _ := pgstore.Connect(ctx, os.Getenv("DATABASE_URL")) // pool_max_conns ≥ Workers + 4
//	_ = pgstore.Migrate(ctx, pool)                          // once per deployment
//	_ = dispatch.Migrate(ctx, pool)
//	store, _ := pgstore.New(ctx, pool)
//	b, _ := broadcast.New(channels, broadcast.Options{Store: store, Lock: store.Lock})
//	d, _ := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store})
//	_ = d.Start(ctx)
//	defer d.Stop(context.Background())
//	id, _ := d.Enqueue(ctx, nil, update)
//	report, _ := d.Wait(ctx, id)
//
// # Delivery
//
// A job's run is Broadcaster.RunJob: one attempt with every Store check
// around it. Its outcome decides what River does next: done (delivered,
// skipped, superseded or not selected) completes the job, and so does a
// delivery the Store could not record (broadcast.ErrNotRecorded: the
// platform has the update, its receipt or mark was not written), which is
// no failure: EventDelivered carries that error, and Report and Wait give
// it as the channel's Result error, with the post's receipt, as Send does;
// the update enqueued again queues nothing there, and is not posted
// twice (see Report); a RetryAfter
// error (HTTP 429) snoozes it for that long (for the backoff's wait when
// that is longer, as within a Send) without using up an attempt, and one
// that asks for no wait is retried as any other error; a
// Permanent error cancels it; a run the channel's own Close cut short
// (its error matches broadcast.ErrChannelClosed, which the Broadcaster
// does not make Permanent) failed nothing for good: it is snoozed, no
// attempt used up, for as long as it has existed (within Retry's
// intervals, as a job of a channel this instance lacks: see below; the
// RetryAfter hint's wait when longer), so that an instance whose channel
// stays closed takes it back less and less often, for an instance whose
// channel is open, and given up past Config.Retry.MaxElapsed, its last
// wait ending there; any other error is retried with exponential
// backoff (Config.Retry), and cancels it, with that error, once
// Config.Retry.MaxAttempts attempts are made. A job past
// Config.Retry.MaxElapsed is not retried nor snoozed again. A run that
// fails without an outcome (args it cannot decode, a panic, a job row
// River cannot decode, a job kind this version does not know) is a
// failed attempt too: retried by Config.Retry, with EventRetry, and given
// up past those limits, with EventFailed. A panic's value shows, in
// that Event's error, the Logger's record and River's record and log of
// the job, only if it is a runtime error; any other value, which may
// quote a secret, by its type ("panic: a string"), the trace naming
// where it was raised. That time, and
// when a retry or a snooze is due (see Limits), go by the database's
// clock, which River stamps the jobs with and schedules them by, not by
// the instance's: an instance whose clock is off gives a job up neither
// early nor late, and does not retry it at once nor hours later.
//
// Attempts of the updates of one incident on one channel run one at a
// time across every instance (the Store's Lock, by broadcast.LockKey):
// each reads the incident's thread after the one before saved its receipt,
// so an older update is never posted after a newer one, and is found
// superseded when the newer one went first. While a retraction of the
// newer one's post is under way (from its first attempt until it deletes
// the post, fails for good or is given up, its retries included), an
// older update's job waits for it, snoozed by the backoff without using
// up an attempt, until Config.Retry.MaxElapsed: it is posted once the post
// is gone, superseded if the post stays, and given up past MaxElapsed,
// its error naming the retraction; such a run leaves the job's output
// (Report's pending and failed targets) as the run before it left it. A
// retraction job an operator cancels (River's Client.JobCancel) or
// deletes while it waits to run again is not seen to end: its record
// counts until Config.Retry.MaxElapsed plus RescueAfter after it was
// enqueued, and the Broadcaster's Options.AttemptTimeout past that (see
// broadcast.WithJobEnd), and older updates wait for it until then or
// their own MaxElapsed, unless
// broadcast.Broadcaster.EndJob is called with its Job. A job waits
// for the attempt under way, within Config.JobTimeout; one whose wait
// outlasts it did not try the channel (broadcast.ErrBusy) and is snoozed for
// Config.Retry.InitialInterval without using an attempt. So is a job run
// while this instance's Broadcaster is closed and its Dispatcher is not
// (broadcast.ErrClosed: close the Broadcaster after Stop), for another
// instance to take it; Config.Logger says so, once. A job of a channel
// this instance's Broadcaster does not have (enqueued by an instance with
// other channels, during a rolling deploy) is not tried either: it is
// snoozed, no attempt used up, for as long as it has existed (within
// Retry's intervals) for an instance that has the channel, and given up
// past Config.Retry.MaxElapsed (ErrUnknownChannel).
//
// A correction or a retraction waits for the delivery of its update on
// the channel (snoozed, no attempt used up, until that job may run
// again: at least Config.Retry.InitialInterval, at most MaxInterval)
// while that update's job there is still to run, running or waiting to
// retry, even past its own Config.Retry.MaxElapsed: given up, it would
// leave up, or as it was, the post that delivery then makes. Run first,
// it would find nothing posted: a retraction would end with the post
// still to come, a correction post itself instead of
// editing the original, which would then be posted after it or be found
// superseded by it. A retraction also waits for the corrections of its
// update queued on the channel (jobs enqueued before this version carry
// no original and are not waited for): run first, it would delete the
// post, and the correction would then post "Correction: …" of it. One
// that cannot look for that delivery (the database cannot be read: a
// restart, a failover) did not try the channel either: it is snoozed for
// Config.Retry.InitialInterval, no attempt used up, until
// Config.Retry.MaxElapsed; one whose look Stop cut short runs again at
// once, no attempt used up, as an attempt Stop cuts short does.
//
// A worker that dies mid-job (killed, machine lost) leaves its job
// running; River's rescuer makes it available again after
// Config.RescueAfter (default 5 minutes, against River's default hour),
// once the dead worker's Lock is released (for a machine lost, when
// PostgreSQL's TCP keepalive notices: see pgstore's Store.Lock), and the
// next run resumes with the Ledger: targets already marked are not
// sent again. Only deliveries under way at the moment of death can be sent
// twice, with the same Message.Key, so receivers that deduplicate by it
// (Standard Webhooks' webhook-id) see them once. An interrupted run is not
// a failed attempt: the next run resumes it, with its number, even when it
// was the last attempt Config.Retry.MaxAttempts allows. River's own
// MaxAttempts is 10 above it, room for the rescues, and the policy, not
// River, gives up; only a job whose runs are cut short more than 10 times
// in all (one that kills its workers) can be discarded by River.
// Nothing but the rescuer can take back the jobs of a process that exits
// without Stop, or before Stop returns (killed, os.Exit, main returning):
// they wait Config.RescueAfter and more. A Dispatcher stopped by Stop
// leaves none so: Stop waits for its runs, and those it cuts short, its
// ctx ended, are snoozed without using up an attempt, available at once
// for any instance (after a wait the platform asked for in the run, if
// any), but for a run whose Channel ignores its ctx (see Stop); so, stop
// it before the process exits (on SIGTERM, say), and let Stop return.
//
// A run whose Lock is lost while it runs (its session ended: a restart or
// failover of the server, a terminated session) goes on: River keeps the
// job itself from other instances while it runs, and stopping the run
// could cut it between a post and the post's record, which the retry
// would then post again. But the incident's other updates, and a
// correction or retraction of the update, may then run on the channel at
// the same time, out of order: the loss is reported. A run that fails
// fails with pgstore.ErrLockLost in its error (EventRetry, or EventFailed
// when given up); one that succeeds is delivered, and Config.Logger warns.
//
// # Reports and events
//
// Wait and Report assemble a broadcast.Report from the jobs' states and
// the Store's receipts, so any instance can report on an update another
// instance enqueued or delivered. Wait and Watch read them again as soon
// as a job of the update finishes, on whichever instance: each started
// Dispatcher notifies the others through PostgreSQL (NOTIFY, once River
// has recorded the job's end) and listens for theirs on one connection of
// its own, beyond the Pool, made again after a restart or a failover, or
// when its server stops answering (checked every 30s while no
// notification comes); Changes gives that wake-up to other callers. As a
// safety net (a notification lost with its connection, an instance stopped
// before it sent it, a Dispatcher not started, an event River dropped, a
// finish River makes without an event: see Changes) they also read every
// Config.PollInterval. Config.OnEvent sees each run on the instance that
// works it; package dispatch/metrics turns those events into
// Prometheus metrics.
//
// # Limits
//
// River deletes finished jobs after a day (completed, cancelled) or a week
// (discarded); Report of an update older than that answers from the
// Store's receipts and marks, which say where it was delivered, not why it
// was not (see Report); RetractReport fails with ErrNoJobs. Nothing but
// PostgreSQL's autovacuum reclaims the deleted jobs' space, for new jobs,
// without shrinking the table's file (as for pgstore's Store.Prune). River schedules
// a snooze (a RetryAfter hint, a wait for another delivery) by the clock of
// the instance that snoozed the job; dispatch adds that clock's offset
// from the database's to the snooze, so that the job runs again when the
// database's clock says, except on an instance ahead of the database by
// more than the snooze (which cannot be less than 0): there the job runs
// late by the difference (a stopping instance's jobs, snoozed for 0, by
// all of its lead), and so does a retry due within its lead (River refuses
// a retry due before its instance's clock). River's maintenance, run by the instance that leads
// it, goes by that instance's clock, which dispatch cannot correct: a
// leader behind the database holds back retries and snoozes longer than
// 5s by its lag, and one ahead by more than RescueAfter less JobTimeout
// (3 minutes by default) takes running jobs for dead ones: each runs a
// second time, which waits for the first's Lock and resumes with its
// Ledger. An instance whose clock its runs find off from the database's
// by more than 30s (or half that margin) says so once, through
// Config.Logger. Keep the instances' clocks in sync (NTP). River's own
// statements (fetching jobs, recording their ends, the leader's) run on
// Config.Pool without this package's handling of a read-only server: a
// connection of the pool left on a server made read-only (an old primary
// after a failover) is closed when this package's or the Store's
// statements meet it, or at the pool's MaxConnLifetime (pgxpool's
// default: an hour); until then River's statements that take it fail,
// and River tries them again later. List every server's host with
// target_session_attrs=read-write, and set pool_max_conn_lifetime to
// bound it. Behind a
// pooler in transaction mode, set Config.PollOnly: River cannot LISTEN
// there, and neither can Wait: it then reads every Config.PollInterval
// only. River keeps a run's error and output in jsonb, which takes no NUL:
// a NUL in a channel's error text or in a receipt a job keeps
// reads U+FFFD in Report and Wait, and in River's record of the job.
//
// # Errors
//
// Errors start with "dispatch: "; configuration errors name the field. A
// Dispatcher not made by New (nil, or a zero value) fails every call with
// an error naming dispatch.Dispatcher and dispatch.New, never a panic.
package dispatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/internal/nilctx"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/internal/pghost"
	"github.com/outagecast/outagecast/internal/pgretry"
	"github.com/outagecast/outagecast/internal/slogguard"
)

// Defaults of Config.
const (
	DefaultQueue           = "outagecast"
	DefaultWorkers         = 10
	DefaultMaxAttempts     = 20
	DefaultInitialInterval = time.Second
	DefaultMaxInterval     = 5 * time.Minute
	DefaultMaxElapsed      = 6 * time.Hour
	DefaultJobTimeout      = 2 * time.Minute
	DefaultRescueAfter     = 5 * time.Minute
	DefaultPollInterval    = 200 * time.Millisecond
	DefaultFetchCooldown   = 20 * time.Millisecond
	DefaultFetchPoll       = 250 * time.Millisecond
)

// MaxWorkers is the most Config.Workers can be: River's limit of workers
// per queue.
const MaxWorkers = river.QueueNumWorkersMax

// MaxAttempts is the most Config.Retry.MaxAttempts can be: River keeps a
// job's attempts in a smallint, with room for the rescues of runs cut
// short by the death of their worker.
const MaxAttempts = math.MaxInt16 - maxRescues

// queueName is River's rule for a queue's name.
var queueName = regexp.MustCompile(`^(?:[a-z0-9])+(?:[_|\-]?[a-z0-9]+)*$`)

// spareConns are the pool's connections beyond one per worker: River's own
// queries and the Store's calls while every worker holds a Lock.
const spareConns = 4

// Config configures a Dispatcher. The zero value of each optional field
// means its default.
type Config struct {
	// Pool connects to the database holding River's tables (see Migrate).
	// Required. Each worker may hold one connection for a Lock during its
	// delivery, so its MaxConns must be at least Workers + 4. A pool
	// whose host holds an "@", or whose connection string sets after a
	// password a setting that may be the rest of a password written raw
	// (in a URL's query, a host, port, user, database, file or run-time
	// setting that PostgreSQL is not known to take; in key=value pairs,
	// such a run-time setting after a password not in quotes), is
	// refused, as by pgstore.New: connecting would send
	// it to the DNS or the server, whose errors print it. Its
	// BeforeConnect and AfterConnect run for the listener's connection too
	// (see Changes); a panic there, or in a hook of its ConnConfig, is
	// logged (to Logger, at Error) and the listener connects again later.
	// pgxpool runs them for its own connections in goroutines of its own,
	// where such a panic still ends the process.
	Pool *pgxpool.Pool
	// Broadcaster delivers each job (Broadcaster.RunJob) and gives the
	// channels an update is enqueued for. Required, made by broadcast.New
	// (a zero one is refused). Every instance's
	// Broadcaster must have the same channels by name, with a Store shared
	// by all (broadcast/pgstore) and its Lock as Options.Lock. While they
	// differ (a rolling deploy), an instance leaves the jobs of a channel
	// it lacks to the others (see ErrUnknownChannel). Its own RetryPolicy
	// is not used: River retries by Retry.
	Broadcaster *broadcast.Broadcaster
	// Store is the Broadcaster's Store, read by Report for receipts.
	// Required. A panic in one of its methods is the error of the
	// Report, Wait or Watch that called it, naming the method.
	Store broadcast.Store
	// Queue is the River queue of the jobs; default "outagecast". River
	// takes lower-case letters and digits, in words separated by an
	// underscore or a hyphen.
	Queue string
	// Workers is how many jobs this instance runs at once; default 10, at
	// most MaxWorkers (10,000).
	Workers int
	// Retry bounds each job's retries: MaxAttempts (default 20, at most
	// MaxAttempts: 32,757) attempts in all (runs snoozed by a RetryAfter, retries that
	// reached targets no earlier run had, and runs cut short by the death
	// of their worker are not attempts), waits from InitialInterval (default
	// 1s) doubling up to MaxInterval (default 5m), with jitter; no retry
	// nor snooze starts more than MaxElapsed (default 6h) after the job was
	// enqueued, by the database's clock, but the waits of a correction or
	// a retraction for its update's delivery, which last as long as that
	// delivery is to come (see the package doc). Give every instance the
	// same Retry.
	Retry broadcast.RetryPolicy
	// JobTimeout bounds one run: waiting for the Lock, the Store's calls
	// and the attempt; default 2m. Keep it above the Broadcaster's
	// AttemptTimeout (default 30s), or attempts are cut short.
	JobTimeout time.Duration
	// RescueAfter is how long a job may run before River takes it for the
	// job of a dead worker and runs it again; default 5m. It must exceed
	// JobTimeout: a live worker's job is never rescued, and when a worker
	// dies its jobs run again within RescueAfter plus River's rescue
	// interval (30s) and scheduler's (5s) and, if it led the cluster, a
	// leader election (15s): at once, without the backoff of a retry.
	// A run past JobTimeout still records what it delivered (the
	// Broadcaster writes marks without the run's deadline), for up to the
	// Store's pgstore.ReconnectWait more while the database is away (then
	// a try or two per record left, each within the connection string's
	// connect_timeout): keep
	// RescueAfter at least JobTimeout plus that, as the defaults (2m + 2m,
	// 5m) are, or a run recording its delivery may be taken for dead. New
	// accepts a smaller one, but Logger warns, with the minimum, taking
	// ReconnectWait for the Store's: give both the same. A longer
	// JobTimeout does not raise the default: set RescueAfter with it.
	RescueAfter time.Duration
	// PollInterval is how often Wait, Watch and Changes read the jobs'
	// states again when no notification of a finished job came; default
	// 200ms. Once started (and not PollOnly), notifications wake them at
	// once, and PollInterval is only a safety net: it may be seconds.
	PollInterval time.Duration
	// FetchCooldown is the least time between two fetches of jobs by this
	// instance, and between two notifications of new jobs; default 20ms
	// (River's is 100ms: we trade a few queries for latency).
	FetchCooldown time.Duration
	// FetchPollInterval is how often this instance looks for jobs when no
	// notification comes (PollOnly, or notifications merged by
	// FetchCooldown); default 250ms (River's is 1s).
	FetchPollInterval time.Duration
	// ReconnectWait is how long this package's own statements (Enqueue's
	// transaction, the reads of the jobs) are tried again when their
	// connection broke or cannot be made (a restart, a failover), or the
	// server rolled them back in a conflict with another session's (a
	// serialization failure or a deadlock, SQLSTATE 40001 or 40P01), within
	// the caller's ctx; default pgstore.DefaultReconnectWait (2m), past a
	// managed PostgreSQL's failover. It counts from the first failed try
	// since one last reached the server, whichever call made it: the
	// calls made one after another through one outage wait it in all,
	// not each (as the Store's pgstore.ReconnectWait). Negative: no try
	// again.
	ReconnectWait time.Duration
	// PollOnly makes River poll for jobs instead of LISTENing for them,
	// and Wait read at PollInterval without the notifications of finished
	// jobs; required behind a pooler in transaction mode.
	PollOnly bool
	// OnEvent, if set, is called for each step of each job this instance
	// runs. Calls are serialized; keep it quick. A panic in it is logged
	// (to Logger, at Error), and the run goes on: it fails no job.
	OnEvent func(Event)
	// Logger receives River's log, and this package's warnings; default:
	// discard. A panic in its handler loses that record, and nothing
	// else: it fails no run, and does not end the process from River's
	// goroutines or this package's.
	Logger *slog.Logger
}

// Dispatcher enqueues updates and, once started, works the jobs of every
// instance. It is safe for concurrent use. Make it with New: a nil
// *Dispatcher (New's error dropped) or a zero Dispatcher fails every call
// with an error saying it was not made by New (Changes returns a closed
// channel, for the Report that follows to say so); none panics.
type Dispatcher struct {
	cfg      Config
	channels []string
	client   *river.Client[pgx.Tx]
	retry    retryPolicy
	// outage runs this package's own statements, again when their
	// connection broke, for Config.ReconnectWait in all through one outage.
	outage  pgretry.Outage
	eventMu sync.Mutex
	// closedOnce logs once that the Broadcaster was closed under the
	// running Dispatcher.
	closedOnce sync.Once
	// clockLogged is set once checkClock has warned that this
	// instance's clock is off from the database's.
	clockLogged atomic.Bool
	// unknownLogged holds the channels of jobs run here whose channel is
	// not this instance's, logged once each.
	unknownLogged sync.Map
	// judged marks the job rows (weak.Pointer[rivertype.JobRow]) whose
	// run failed through strayFailures.Work, which judged it, until
	// HandleError sees it or River lets go of the row (see judge).
	judged sync.Map
	// waiters are the callers of Changes (Wait, Watch), woken by the
	// notifications of finished jobs.
	waiters waiters
	// runMu serializes Start and Stop, which start and end the wake-ups'
	// goroutines (wakeStop, wakeDone); runCtx is the ctx of the last Start
	// that started River.
	runMu  sync.Mutex
	runCtx context.Context
	// runEnd releases runCtx, which Start made for River's run.
	runEnd func(keep bool)
	// river is client as Start and Stop drive it, and checkDB checks the
	// database before River starts (checkDatabase): fields, so that tests
	// stand in for River and the database.
	river   runner
	checkDB func(context.Context) error
	// stopFailed is set when Stop returned before River stopped (its
	// ctx, then JobTimeout, ran out): River goes on stopping, and its
	// Start would do nothing until it has; guarded by runMu.
	stopFailed bool
	// strandedDue is set while River's jobs left running by its last run
	// (see rescueStranded) are still to be made available again: from a
	// Start that started River until a Stop, or the next Start, has done
	// so once River stopped; guarded by runMu.
	strandedDue bool
	// starting are the Start calls under way, whose checks of the
	// database Stop ends (they may try again for Config.ReconnectWait).
	starting startCalls
	// running are the runs under way here, which a failed Stop names.
	running  runningJobs
	wakeStop func()
	wakeDone sync.WaitGroup
	// listenCheck is how long the listener waits for a notification before
	// it checks that its connection is alive; 0: listenCheckEvery.
	listenCheck time.Duration
}

// New returns a Dispatcher. It does no I/O; errors name the Config field.
func New(cfg Config) (*Dispatcher, error) {
	return newDispatcher(cfg, hostClientBase())
}

// newDispatcher is New, whose River client's ID is base with a random
// suffix (see clientID).
func newDispatcher(cfg Config, base string) (*Dispatcher, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	// RescueAfter exceeds JobTimeout (withDefaults), so their difference
	// cannot overflow where the sum could, and wrap round to no warning.
	if wait := max(cfg.ReconnectWait, 0); cfg.RescueAfter-cfg.JobTimeout < wait {
		least := cfg.JobTimeout + min(wait, math.MaxInt64-cfg.JobTimeout) // at most the largest Duration
		cfg.Logger.LogAttrs(context.Background(), slog.LevelWarn, "dispatch: Config.RescueAfter is below JobTimeout plus "+
			"ReconnectWait: a run still recording its delivery while the database is away may be taken for the run of "+
			"a dead worker, and the job run again beside it",
			slog.Duration("rescue_after", cfg.RescueAfter), slog.Duration("minimum", least))
	}
	d := &Dispatcher{cfg: cfg, channels: cfg.Broadcaster.Channels(), retry: retryPolicy{RetryPolicy: cfg.Retry, clock: &dbClock{},
		rescueAfter: cfg.RescueAfter, ran: &ranRows{}}}
	d.outage.Wait = cfg.ReconnectWait
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker[sendArgs]{d: d})
	river.AddWorker(workers, &worker[correctArgs]{d: d})
	river.AddWorker(workers, &worker[retractArgs]{d: d})
	// SoftStopTimeout: without it, cancelling Start's ctx cancels the jobs
	// running, as StopAndCancel does, and a delivery cut short after the
	// platform took it is posted again. Runs end within JobTimeout anyway.
	d.client, err = river.NewClient(riverpgxv5.New(cfg.Pool), d.riverConfig(workers, clientID(base)))
	if err != nil {
		return nil, fmt.Errorf("dispatch: %w", err)
	}
	d.river, d.checkDB = d.client, d.checkDatabase
	return d, nil
}

// riverConfig is the configuration of River's client, which runs
// workers, by the ID id.
func (d *Dispatcher) riverConfig(workers *river.Workers, id string) *river.Config {
	cfg := d.cfg
	return &river.Config{
		ID:                   id,
		Queues:               map[string]river.QueueConfig{cfg.Queue: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		MaxAttempts:          cfg.Retry.MaxAttempts + maxRescues,
		RetryPolicy:          d.retry,
		ErrorHandler:         &strayFailures{d: d},
		JobTimeout:           cfg.JobTimeout,
		SoftStopTimeout:      cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		PollOnly:             cfg.PollOnly,
		FetchCooldown:        cfg.FetchCooldown,
		FetchPollInterval:    cfg.FetchPollInterval,
		Logger:               cfg.Logger, // guarded (see withDefaults)
	}
}

// nilValue reports whether v is a nil pointer (or map, func, …) in a
// non-nil interface.
func nilValue(v any) bool {
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

func withDefaults(cfg Config) (Config, error) {
	switch {
	case cfg.Pool == nil:
		return cfg, errors.New("dispatch: Config.Pool: missing")
	case cfg.Broadcaster == nil:
		return cfg, errors.New("dispatch: Config.Broadcaster: missing")
	case cfg.Broadcaster.Channels() == nil:
		// A zero Broadcaster (its New's error dropped) has no channels:
		// every job run here would be taken for one of a channel this
		// instance lacks, snoozed, and given up past Retry.MaxElapsed.
		return cfg, errors.New("dispatch: Config.Broadcaster: not made by broadcast.New")
	case cfg.Store == nil:
		return cfg, errors.New("dispatch: Config.Store: missing")
	case nilValue(cfg.Store):
		// A Store never made, or whose constructor failed: Report and
		// Wait would panic on their first read of it.
		return cfg, fmt.Errorf("dispatch: Config.Store: a nil %T", cfg.Store)
	}
	// Report, Wait and Watch read it in the caller's goroutine: its
	// panics are their errors, naming the method, as the Broadcaster's
	// are.
	cfg.Store = broadcast.GuardStore(cfg.Store)
	// The rest of a password written raw would be sent to the DNS by the
	// listener's connection, and printed in its error.
	if err := pghost.Check(cfg.Pool.Config().ConnConfig); err != nil {
		return cfg, fmt.Errorf("dispatch: Config.Pool: %w", err)
	}
	for name, v := range map[string]int64{"Workers": int64(cfg.Workers), "JobTimeout": int64(cfg.JobTimeout),
		"RescueAfter": int64(cfg.RescueAfter), "PollInterval": int64(cfg.PollInterval),
		"FetchCooldown": int64(cfg.FetchCooldown), "FetchPollInterval": int64(cfg.FetchPollInterval),
		"Retry.MaxAttempts": int64(cfg.Retry.MaxAttempts), "Retry.InitialInterval": int64(cfg.Retry.InitialInterval),
		"Retry.MaxInterval": int64(cfg.Retry.MaxInterval), "Retry.MaxElapsed": int64(cfg.Retry.MaxElapsed)} {
		if v < 0 {
			return cfg, fmt.Errorf("dispatch: Config.%s: negative", name)
		}
	}
	cfg.Queue = cmp.Or(cfg.Queue, DefaultQueue)
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	cfg.Retry.MaxAttempts = cmp.Or(cfg.Retry.MaxAttempts, DefaultMaxAttempts)
	cfg.Retry.InitialInterval = cmp.Or(cfg.Retry.InitialInterval, DefaultInitialInterval)
	cfg.Retry.MaxInterval = max(cmp.Or(cfg.Retry.MaxInterval, DefaultMaxInterval), cfg.Retry.InitialInterval)
	cfg.Retry.MaxElapsed = cmp.Or(cfg.Retry.MaxElapsed, DefaultMaxElapsed)
	cfg.JobTimeout = cmp.Or(cfg.JobTimeout, DefaultJobTimeout)
	cfg.ReconnectWait = cmp.Or(cfg.ReconnectWait, pgstore.DefaultReconnectWait)
	cfg.RescueAfter = cmp.Or(cfg.RescueAfter, DefaultRescueAfter)
	cfg.PollInterval = cmp.Or(cfg.PollInterval, DefaultPollInterval)
	cfg.FetchCooldown = max(cmp.Or(cfg.FetchCooldown, DefaultFetchCooldown), time.Millisecond)
	cfg.FetchPollInterval = max(cmp.Or(cfg.FetchPollInterval, DefaultFetchPoll), time.Millisecond)
	// Guarded wherever it is used, River's goroutines included: a panic in
	// its handler would fail a job delivered already, or take the process
	// down.
	cfg.Logger = slogguard.Logger(cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), "Config.Logger")
	switch {
	case cfg.Workers > MaxWorkers:
		return cfg, fmt.Errorf("dispatch: Config.Workers: %d, at most %d", cfg.Workers, MaxWorkers)
	case cfg.Retry.MaxAttempts > MaxAttempts:
		// River keeps a job's attempts in a smallint, and caps what it
		// stores: the policy would give up early, with no room left for
		// the rescues.
		return cfg, fmt.Errorf("dispatch: Config.Retry.MaxAttempts: %d, at most %d", cfg.Retry.MaxAttempts, MaxAttempts)
	case len(cfg.Queue) > 64 || !queueName.MatchString(cfg.Queue):
		return cfg, fmt.Errorf("dispatch: Config.Queue: %q: not a River queue name (at most 64 lower-case letters and digits, "+
			"in words separated by an underscore or a hyphen)", cfg.Queue)
	case cfg.FetchPollInterval < cfg.FetchCooldown:
		return cfg, fmt.Errorf("dispatch: Config.FetchPollInterval: %v is shorter than FetchCooldown (%v)",
			cfg.FetchPollInterval, cfg.FetchCooldown)
	}
	if cfg.RescueAfter <= cfg.JobTimeout {
		return cfg, fmt.Errorf("dispatch: Config.RescueAfter: %v must exceed JobTimeout (%v), or running jobs are taken for dead ones",
			cfg.RescueAfter, cfg.JobTimeout)
	}
	if need, have := cfg.Workers+spareConns, int(cfg.Pool.Config().MaxConns); have < need {
		return cfg, fmt.Errorf("dispatch: Config.Pool: %d connections (pool_max_conns) for %d workers, need at least %d",
			have, cfg.Workers, need)
	}
	return cfg, nil
}

// migrateLockKey serializes concurrent Migrate calls: River's migrator
// takes no lock, and two of them on a new database would both create its
// tables, all but one failing.
const migrateLockKey = 0x6f75746167656472 // "outagedr"

// Migrate brings River's tables in the database of pool up to the version
// this River needs. Like pgstore.Migrate, it runs only when called, is
// safe to run from several processes at once, and does nothing on a
// database already up to date. It uses two connections of pool at once:
// one holds a lock that keeps other Migrate calls waiting, for as long as
// ctx allows (the server's lock_timeout, statement_timeout,
// idle_in_transaction_session_timeout and transaction_timeout do not
// apply to it). A pool whose
// host holds an "@", or that sets after a password a setting that may be
// the rest of a password written raw (see Config.Pool), is refused, as by
// pgstore.Migrate: its error would print it. On a read-only server (a
// standby) whose tables it would change, it fails with pgstore.ErrReadOnly.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return errors.New("dispatch: Migrate: pool: missing")
	}
	if ctx == nil {
		return fmt.Errorf("dispatch: Migrate: %w", errNilContext)
	}
	if err := pghost.Check(pool.Config().ConnConfig); err != nil {
		return fmt.Errorf("dispatch: Migrate: pool: %w", err)
	}
	if pool.Config().MaxConns < 2 {
		return errors.New("dispatch: Migrate: pool: 1 connection (pool_max_conns), need at least 2")
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("dispatch: migrate: %w", err)
	}
	// The lock is a transaction's, held open while the migrator runs on
	// other connections, so that it holds through a pooler in transaction
	// mode too.
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Only ctx bounds the wait for another Migrate and the hold: a
		// lock_timeout or statement_timeout of the server, the role or
		// the connection string would fail a replica that waits for
		// another's migration, and an idle_in_transaction_session_timeout
		// would end the session holding the lock while the migrator, on
		// other connections, works.
		if _, err := tx.Exec(ctx, pgretry.NoTimeouts); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrateLockKey)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		_, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return err
	})
	switch {
	case pgretry.ReadOnly(err):
		// River's tables to migrate, on a server that cannot write.
		return fmt.Errorf("dispatch: migrate: %w", pgretry.ReadOnlyError(pgstore.ErrReadOnly, err))
	case err != nil:
		return fmt.Errorf("dispatch: migrate: %w", err)
	}
	return nil
}

// errNilContext is the error of a call given a nil context, which would
// otherwise panic deep in the driver or in River.
var errNilContext = nilctx.Err

// errNotMade is the error of a call of a Dispatcher not made by New: a
// nil *Dispatcher (New failed, its error dropped) or a zero Dispatcher,
// whose calls would otherwise panic.
var errNotMade = notmade.Error("dispatch.Dispatcher", "dispatch.New")

// made reports whether d was made by New, which makes its River client.
func (d *Dispatcher) made() bool { return d != nil && d.client != nil }

// ErrNotMigrated is wrapped by Start's error when River's tables in the
// database lack a migration this version of River needs (or are missing):
// run Migrate, after every upgrade of this module too. River would
// otherwise start, and its queries fail later, or act on a schema it does
// not know.
var ErrNotMigrated = errors.New("dispatch: River's tables are not migrated")

// checkSchema fails with ErrNotMigrated unless River's tables have every
// migration this River needs.
func (d *Dispatcher) checkSchema(ctx context.Context) error {
	m, err := rivermigrate.New(riverpgxv5.New(d.cfg.Pool), &rivermigrate.Config{Logger: d.cfg.Logger})
	if err != nil {
		return fmt.Errorf("dispatch: start: %w", err)
	}
	var res *rivermigrate.ValidateResult
	err = d.outage.Do(ctx, func() (err error) {
		res, err = m.Validate(ctx, nil)
		return err
	})
	switch {
	case err != nil:
		return fmt.Errorf("dispatch: start: check River's tables: %w", err)
	case !res.OK:
		return fmt.Errorf("dispatch: start: %w: %s; run dispatch.Migrate", ErrNotMigrated, strings.Join(res.Messages, "; "))
	}
	return nil
}

// checkWritable fails, wrapping pgstore.ErrReadOnly, when the Pool's
// server is read-only: no job would run, and River would say so only to
// Config.Logger. A connection found on a read-only server (a failover
// under way) is dropped and the check tried again on a new one, within
// Config.ReconnectWait, as Enqueue's insert is.
func (d *Dispatcher) checkWritable(ctx context.Context) error {
	var why string
	err := d.outage.Do(ctx, func() error {
		why = "" // of this try only: a later one may fail otherwise
		return pgretry.OnConn(ctx, d.cfg.Pool, func(c *pgxpool.Conn) (err error) {
			if why, err = pgretry.ServerReadOnly(ctx, c); err == nil && why != "" {
				err = pgretry.ErrServerReadOnly
			}
			return err
		})
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("dispatch: start: %w", ctx.Err()) // cut short by the caller
	case err != nil && why != "":
		return fmt.Errorf("dispatch: start: %w (%s): %s", pgstore.ErrReadOnly, why, pgretry.ReadOnlyHint)
	case err != nil:
		return fmt.Errorf("dispatch: start: %w", err)
	}
	return nil
}

// Start starts this instance's workers, after checking that River's
// tables are migrated (ErrNotMigrated otherwise) and that the server takes
// writes (an error wrapping pgstore.ErrReadOnly, saying what to do,
// otherwise: on a standby no job would run). They run until Stop, or until ctx
// is cancelled, which stops them as Stop does: no job is fetched any more,
// and the jobs running finish (within Config.JobTimeout). Start on a
// started Dispatcher does nothing; after a ctx cancelled, or a Stop that
// failed (the jobs outlasted its ctx and JobTimeout), it waits for the
// jobs still running to finish, makes available again the jobs that run
// left running, as Stop does, then starts again; if its own ctx ends
// first, it fails, saying that they are still finishing. Stop called
// while Start waits for them, checks the database or makes River's first
// connection to it ends it at once: Start then fails with ErrStopped, no
// worker started.
//
// Unless Config.PollOnly, it also starts the wake-ups of Wait, Watch and
// Changes: this instance notifies the others of each job it finishes, and
// holds one connection of its own (beyond the Pool's) that listens for
// theirs; see Changes. They end with the workers.
func (d *Dispatcher) Start(ctx context.Context) error {
	if !d.made() {
		return errNotMade
	}
	if ctx == nil {
		return fmt.Errorf("dispatch: start: %w", errNilContext)
	}
	// Until River has started, Stop ends the waits and checks below, and
	// River's own first ping of the database, by cancelling run, which
	// River then runs by (ctx's values, ended with ctx or by Stop).
	run, done := d.starting.add(ctx)
	started := false
	defer func() { done(started) }()
	d.runMu.Lock()
	defer d.runMu.Unlock()
	stopped := func(err error) error {
		if errors.Is(context.Cause(run), ErrStopped) {
			return fmt.Errorf("dispatch: start: %w before the workers started", ErrStopped)
		}
		return err
	}
	if err := d.beforeStart(run); err != nil {
		return stopped(err)
	}
	for {
		if d.strandedDue && d.river == runner(d.client) && riverStopped(d.river) {
			// The last run ended without a Stop that made the jobs it
			// left running available again (its ctx ended, or Stop
			// failed): none of its runs is under way now.
			d.strandedDue = !d.rescueStranded(run, "start")
		}
		before := d.river.Stopped()
		if err := d.river.Start(run); err != nil {
			return stopped(fmt.Errorf("dispatch: start: %w", err))
		}
		if d.river.Stopped() != before {
			break
		}
		if !d.stopping() {
			// Running already: River's Start did nothing, and the
			// wake-ups stay those of its run.
			return nil
		}
		// The last run's ctx ended since the checks looked: River's
		// Start did nothing while it stops.
		if err := d.waitStopped(run); err != nil {
			return stopped(err)
		}
	}
	started = true
	d.endRun()
	d.runCtx, d.runEnd, d.stopFailed, d.strandedDue = run, done, false, true
	d.startWake(run)
	return nil
}

// riverStopped reports whether River's last run has stopped: none of its
// runs is under way.
func riverStopped(r runner) bool {
	select {
	case <-r.Stopped(): // nil, never closed, before River's first Start
		return true
	default:
		return false
	}
}

// endRun releases the ctx of River's last run (see Start), once River
// no longer needs it.
func (d *Dispatcher) endRun() {
	if d.runEnd != nil {
		d.runEnd(false)
		d.runEnd = nil
	}
}

// stopping reports whether River's last run is stopping, or has stopped,
// without a Start since: by its ctx, or by a Stop that returned before it
// stopped. While it stops, River's Start does nothing.
func (d *Dispatcher) stopping() bool {
	return d.runCtx != nil && (d.runCtx.Err() != nil || d.stopFailed)
}

// waitStopped waits, within ctx, for River's last run to stop, if it is
// stopping (see stopping).
func (d *Dispatcher) waitStopped(ctx context.Context) error {
	if !d.stopping() {
		return nil
	}
	select {
	case <-d.river.Stopped():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("dispatch: start: the jobs of the last run are still finishing: %w", ctx.Err())
	}
}

// beforeStart waits for the jobs of the last run, if it is stopping (see
// stopping), then checks the database (Dispatcher.checkDB).
func (d *Dispatcher) beforeStart(ctx context.Context) error {
	if err := d.waitStopped(ctx); err != nil {
		return err
	}
	if err := d.checkDB(ctx); err != nil {
		return err
	}
	if errors.Is(context.Cause(ctx), ErrStopped) {
		// Stop came as the checks ended: it waits for this call, and
		// would stop at once the workers it started.
		return ErrStopped
	}
	return nil
}

// checkDatabase checks River's tables and that the server takes writes.
func (d *Dispatcher) checkDatabase(ctx context.Context) error {
	if err := d.checkSchema(ctx); err != nil {
		return err
	}
	return d.checkWritable(ctx)
}

// runner is what Start and Stop ask of River's client.
type runner interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Stopped() <-chan struct{}
}

// ErrStopped is wrapped by the error of a Start that Stop ended before
// the workers started: while it waited for the jobs of the last run, or
// checked the database (tries again included, see Config.ReconnectWait),
// or River made its first connection to it.
var ErrStopped = errors.New("dispatch: stopped")

// startCalls are the Start calls under way, each with the cancel of the
// ctx of its checks and of River's start.
type startCalls struct {
	mu    sync.Mutex
	calls map[*context.CancelCauseFunc]struct{}
}

// add returns a ctx of ctx that stop cancels, and the func that removes it
// from the calls under way: with keep, the ctx is left to the run that
// River started by it; without, it is cancelled.
func (s *startCalls) add(ctx context.Context) (context.Context, func(keep bool)) {
	ctx, cancel := context.WithCancelCause(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[*context.CancelCauseFunc]struct{}{}
	}
	s.calls[&cancel] = struct{}{}
	return ctx, func(keep bool) {
		s.mu.Lock()
		delete(s.calls, &cancel)
		s.mu.Unlock()
		if !keep {
			cancel(nil)
		}
	}
}

// stop ends the checks of the Start calls under way, with ErrStopped.
func (s *startCalls) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for cancel := range s.calls {
		(*cancel)(ErrStopped)
	}
}

// Stop stops fetching jobs and waits for the jobs running to finish, or
// for ctx to end; then it cancels their attempts, and River runs them again
// at once, on any instance, without using up an attempt (after the wait a
// platform asked for in the run cut short, if one did: a 429's
// Retry-After), resuming with their Ledger. Jobs that do not end within
// Config.JobTimeout more (and within twice JobTimeout after Stop began,
// see below) either fail Stop, with ctx's error (context.Canceled or
// context.DeadlineExceeded), naming the jobs still running; River goes on
// stopping, and the next Start waits for it. River itself cuts the
// attempts short Config.JobTimeout after Stop began, so that, whatever
// ctx, Stop waits twice JobTimeout at most: past that it fails, with
// context.DeadlineExceeded if ctx has not ended, naming the jobs still
// running. Once River has stopped, a job it fetched last and left running
// (its end not recorded: River gives up recording it when the database does
// not answer its last tries before it stops) is made available again at
// once, for any instance, whose run resumes it with its Ledger (see
// Config.RescueAfter); not left to River's rescuer, minutes later. After
// a Stop that failed, the next Stop or Start does it, once River has
// stopped.
//
// Those are runs whose Channel ignores its ctx. Their goroutines cannot
// be ended: after Stop each is left in its Channel's Send, with the
// goroutines of River that wait for it (its worker's, and the producer,
// completer and stop of River's client) and the connections they hold of
// Config.Pool (the run's Lock, if any). The job's row is left running:
// when Send returns, the run ends as any run does and River records its
// outcome; if the process exits first, River's rescuer makes the job
// available again after Config.RescueAfter, and a run on any instance
// resumes it with its Ledger. Nothing else of this Dispatcher's (the
// wake-ups of Wait, Watch and Changes, the listener's connection) is left
// running after Stop. A Start under way that has
// not started the workers yet (it checks the database, trying again
// through a failover, or River pings it) ends at once, with ErrStopped.
func (d *Dispatcher) Stop(ctx context.Context) error {
	if !d.made() {
		return errNotMade
	}
	if ctx == nil {
		return fmt.Errorf("dispatch: stop: %w", errNilContext)
	}
	// A Start under way holds runMu while it checks the database, which
	// may take Config.ReconnectWait: it ends now, with ErrStopped.
	d.starting.stop()
	d.runMu.Lock()
	defer d.runMu.Unlock()
	// The wake-ups end after the workers: the jobs Stop waits for are
	// still notified.
	defer d.stopWake()
	// River cuts the attempts short JobTimeout after Stop began (its soft
	// stop timeout): a run that has not ended JobTimeout after that
	// ignores its ctx, and may never end.
	most := d.cfg.JobTimeout + min(d.cfg.JobTimeout, math.MaxInt64-d.cfg.JobTimeout)
	limit := time.Now().Add(most)
	bound, cancelBound := context.WithDeadline(ctx, limit)
	defer cancelBound()
	err := d.river.Stop(bound)
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("not ended %v after Stop began, their attempts cut short at %v: %w", most, d.cfg.JobTimeout, err)
	}
	if err != nil && ctx.Err() != nil {
		// JobTimeout more for the attempts cancelled now, within the
		// same limit: those River cut short already, JobTimeout after
		// Stop began, have had JobTimeout more by then.
		end := time.Now().Add(d.cfg.JobTimeout)
		if limit.Before(end) {
			end = limit
		}
		cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
		defer cancel()
		if d.river.StopAndCancel(cctx) == nil {
			err = nil
		} else {
			err = ctx.Err() // not cctx's: the caller's deadline, or its cancel
		}
	}
	// Failed, River goes on stopping: the next Start waits for it.
	d.stopFailed = err != nil
	d.endRun()
	if err == nil && d.strandedDue && d.river == runner(d.client) {
		// None of River's runs is under way: a job it left running
		// would wait for the rescuer. Within Stop's limit: the database
		// away, its tries would otherwise go on for ReconnectWait.
		d.strandedDue = !d.rescueStranded(bound, "stop")
	}
	if err != nil {
		return fmt.Errorf("dispatch: stop: still running: %s: %w", d.running.list(), err)
	}
	return nil
}

// runningJobs are the jobs whose runs are under way on this instance.
// Each run is its own entry: a job whose run outlasted Config.RescueAfter
// (its Channel ignoring its ctx) is run again, here too, beside it.
type runningJobs struct {
	mu   sync.Mutex
	runs map[*jobRun]struct{}
}

// jobRun is one run of a job, by its ID, and what it is.
type jobRun struct {
	id   int64
	name string
}

// add notes the run of job id, j, and returns the func that ends it.
func (r *runningJobs) add(id int64, j broadcast.Job) func() {
	run := &jobRun{id: id, name: fmt.Sprintf("job %d (%s of update %q on %q)", id, j.Kind, j.Update.ID, j.Channel)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs == nil {
		r.runs = map[*jobRun]struct{}{}
	}
	r.runs[run] = struct{}{}
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.runs, run)
	}
}

// maxRunsNamed bounds the runs runningJobs.list names.
const maxRunsNamed = 10

// list names the runs under way, by job ID, up to maxRunsNamed of them.
func (r *runningJobs) list() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.runs) == 0 {
		return "no job's run (River's own work)"
	}
	runs := make([]*jobRun, 0, len(r.runs))
	for run := range r.runs {
		runs = append(runs, run)
	}
	slices.SortFunc(runs, func(a, b *jobRun) int { return cmp.Compare(a.id, b.id) })
	var names []string
	for _, run := range runs[:min(len(runs), maxRunsNamed)] {
		names = append(names, run.name)
	}
	if len(runs) > maxRunsNamed {
		names = append(names, fmt.Sprintf("and %d more", len(runs)-maxRunsNamed))
	}
	return strings.Join(names, ", ")
}
