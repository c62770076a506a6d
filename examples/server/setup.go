package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/config"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/dispatch/metrics"
	"github.com/outagecast/outagecast/examples/internal/configflag"
	"github.com/outagecast/outagecast/examples/internal/pagelink"
	"github.com/outagecast/outagecast/examples/internal/prune"
	"github.com/outagecast/outagecast/redact"
)

// dsnEnv names the variable holding the PostgreSQL connection string.
const dsnEnv = "DATABASE_URL"

// apiConns are the pool's connections for the API's requests, on top of
// what the workers need.
const apiConns = 8

// environ is what the server takes from its process; tests give their own.
type environ struct {
	lookup         func(string) (string, bool)
	stdout, stderr io.Writer
	abort          <-chan struct{} // closed by a second signal; nil: never
}

func (e environ) get(name string) string {
	v, _ := e.lookup(name)
	return v
}

// server is one running instance: the database pool, the workers and the
// HTTP API.
type server struct {
	log   *slog.Logger
	pool  *pgxpool.Pool
	b     *config.Broadcaster
	d     *dispatch.Dispatcher
	api   *api
	ln    net.Listener
	http  *http.Server
	grace time.Duration
	// drainDelay is how long /readyz fails before the listener closes.
	drainDelay time.Duration
	// rescueAfter is how long River leaves a job running before another
	// worker may take it: the delay of the jobs a forced stop abandons.
	rescueAfter time.Duration
	store       *pgstore.Store
	// stopPrune stops the pruning of store (see -keep); nil: none runs.
	stopPrune func()
}

// database is the parsed DATABASE_URL, with a hider of its secrets.
type database struct {
	cfg  *pgxpool.Config
	hide func(string) string // removes the connection string and its password from text
}

// parseDSN reads DATABASE_URL and sizes the pool for the workers and the
// API. It does no I/O.
func parseDSN(env environ, workers int) (database, error) {
	dsn := env.get(dsnEnv)
	if dsn == "" {
		return database{}, fmt.Errorf("%s: not set or empty: give the PostgreSQL connection string, as postgres://user:password@host:5432/db", dsnEnv)
	}
	r := redact.NewRedactor(redact.NewSecret(dsn)).WithURL(redact.NewURL(dsn))
	// pgstore's parse: pgx's, bounded connection attempts, no host
	// holding the rest of a password, errors that never quote dsn.
	cfg, err := pgstore.ParseConfig(dsn)
	if err != nil {
		return database{}, fmt.Errorf("%s: %s", dsnEnv, r.String(err.Error()))
	}
	r = r.With(redact.NewSecret(cfg.ConnConfig.Password))
	cfg.MaxConns = max(cfg.MaxConns, int32(workers+4+apiConns)) // dispatch needs Workers + 4
	return database{cfg: cfg, hide: r.String}, nil
}

// connect opens the pool and checks that the database answers.
func (db database) connect(ctx context.Context) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, db.cfg)
	if err == nil {
		if err = pool.Ping(ctx); err != nil {
			pool.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("database: %s", db.hide(err.Error()))
	}
	return pool, nil
}

// migrate brings pgstore's and River's tables up to date, for -migrate.
func migrate(ctx context.Context, db database, log *slog.Logger) error {
	pool, err := db.connect(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := pgstore.Migrate(ctx, pool); err != nil {
		return errors.New(db.hide(err.Error()))
	}
	if err := dispatch.Migrate(ctx, pool); err != nil {
		return errors.New(db.hide(err.Error()))
	}
	log.Info("database migrated")
	return nil
}

// loadConfig loads the channels of -config, or without it a console
// channel on standard output.
// A file whose retry settings dispatch refuses is refused here, naming
// its key, before the database is reached; so is a -keep no longer than
// an update is retried (retry.max_elapsed): pruning would remove the
// marks of an update still being delivered, and its next attempt would
// post it again to the recipients it had reached.
func loadConfig(o *options, env environ) (*config.File, error) {
	var f *config.File
	var err error
	if o.config == "" {
		f, err = config.Default(env.stdout)
	} else {
		f, err = configflag.Load(config.Loader{LookupEnv: env.lookup, Stdout: env.stdout, Stderr: env.stderr}, o.config)
		if err == nil && f.Retry.MaxAttempts > dispatch.MaxAttempts {
			return nil, f.Fault("retry.max_attempts", fmt.Errorf("%d, at most %d", f.Retry.MaxAttempts, dispatch.MaxAttempts))
		}
	}
	if err != nil {
		return nil, err
	}
	if err := prune.CheckKeep(o.keep, cmp.Or(f.Retry.MaxElapsed, dispatch.DefaultMaxElapsed)); err != nil {
		return nil, err
	}
	return f, nil
}

// open connects to the database and builds the instance's Broadcaster,
// Dispatcher and API; it starts nothing.
func open(ctx context.Context, o *options, env environ, db database, f *config.File, t *tokens) (*server, error) {
	pool, err := db.connect(ctx)
	if err != nil {
		return nil, err
	}
	hide := func(s string) string { return db.hide(f.Hide(s)) }
	collector := metrics.New()
	s := &server{pool: pool, grace: o.shutdownTimeout, drainDelay: o.drainDelay}
	s.log = newLogger(env.stderr, slog.Level(o.logLevel), hide)
	store, err := pgstore.New(ctx, pool)
	s.store = store
	if err == nil {
		err = s.openDispatch(o, f, store, collector, riverLogger(env.stderr, slog.Level(o.logLevel), hide))
	}
	if err != nil {
		cerr := s.close()
		if errors.Is(err, pgstore.ErrNotMigrated) {
			err = fmt.Errorf("%w: run the server once with -migrate", err)
		}
		return nil, errors.New(hide(errors.Join(err, cerr).Error()))
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.api = newAPI(queue{d: s.d, b: s.b.Broadcaster, store: store, channels: s.b.Channels()}, t, s.log)
	s.api.maxBody, s.api.hide, s.api.ping = o.maxBody, hide, pool.Ping
	s.api.limits = newLimits(o.rateLimit, o.rateBurst)
	s.api.page = pagelink.Find(f.Channels, f.Routes)
	s.api.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)})
	return s, nil
}

// openDispatch builds the Broadcaster of f's channels on store, and the
// Dispatcher that runs its jobs.
func (s *server) openDispatch(o *options, f *config.File, store *pgstore.Store, m *metrics.Collector, riverLog *slog.Logger) error {
	opts := f.Options()
	opts.Store, opts.Lock = store, store.Lock
	if f.Store.Kind == config.StoreBolt {
		s.log.Warn("the configuration's state (bolt store) is not used: the server keeps its state in PostgreSQL")
	}
	if len(opts.Stages) > 0 {
		s.log.Warn("the configuration's stages are not applied: each channel's job runs on its own, on any instance")
		opts.Stages = nil
	}
	b, err := f.Open(opts)
	if err != nil {
		return err
	}
	s.b = b
	var jobTimeout time.Duration
	jobTimeout, s.rescueAfter = jobTimeouts(opts.AttemptTimeout)
	s.d, err = dispatch.New(dispatch.Config{
		Pool: s.pool, Broadcaster: b.Broadcaster, Store: store,
		Workers: o.workers, Retry: f.Retry, PollOnly: o.pollOnly, PollInterval: waitPoll(o.pollOnly),
		JobTimeout: jobTimeout, RescueAfter: s.rescueAfter,
		OnEvent: func(e dispatch.Event) { m.Observe(e); logEvent(s.log, e) },
		Logger:  riverLog,
	})
	return err
}

// waitPoll is how often a GET that waits reads the update's state again
// when no job of it is said finished (dispatch's Config.PollInterval):
// only a safety net while the Dispatcher listens for the jobs finished by
// every instance, which wake the GET at once; without LISTEN (-poll-only)
// the only way to see them.
func waitPoll(pollOnly bool) time.Duration {
	if pollOnly {
		return 100 * time.Millisecond
	}
	return 5 * time.Second
}

// close releases what open opened, in reverse order, and returns the
// error of closing the channels (a connection that did not close
// cleanly), which may quote a secret: hide it before it is shown.
func (s *server) close() error {
	if s.stopPrune != nil {
		s.stopPrune() // it uses the pool
	}
	var err error
	if s.b != nil {
		if cerr := s.b.Close(); cerr != nil {
			err = fmt.Errorf("close the channels: %w", cerr)
		}
	}
	if s.pool != nil {
		s.pool.Close()
	}
	return err
}

// queue is the API's backend: dispatch for jobs, the Store for receipts.
type queue struct {
	d        *dispatch.Dispatcher
	b        *broadcast.Broadcaster // d's, on store
	store    broadcast.Store
	channels []string
}

func (q queue) Enqueue(ctx context.Context, u broadcast.Update) (string, error) {
	return q.d.Enqueue(ctx, nil, u)
}

func (q queue) Correct(ctx context.Context, original string, u broadcast.Update) (string, error) {
	return q.d.Correct(ctx, nil, original, u)
}

func (q queue) Retract(ctx context.Context, id string) error { return q.d.Retract(ctx, nil, id) }

func (q queue) Report(ctx context.Context, id string) (*broadcast.Report, bool, error) {
	return q.d.Report(ctx, id)
}

func (q queue) RetractReport(ctx context.Context, id string) (*broadcast.Report, bool, error) {
	return q.d.RetractReport(ctx, id)
}

func (q queue) Receipt(ctx context.Context, id, channel string) (broadcast.Receipt, bool, error) {
	return q.store.Receipt(ctx, id, channel)
}

func (q queue) Channels() []string { return q.channels }

func (q queue) Thread(ctx context.Context, incidentID, channel string) (broadcast.Thread, error) {
	return q.b.Thread(ctx, incidentID, channel)
}

func (q queue) CorrectionRejects(ctx context.Context, original string, u broadcast.Update, channel string) (string, error) {
	return q.b.CorrectionRejects(ctx, original, u, channel)
}

func (q queue) Changes(id string) (<-chan struct{}, func()) { return q.d.Changes(id) }

// jobTimeouts returns dispatch's JobTimeout and RescueAfter for channels
// whose attempts last up to attempt (0: the Broadcaster's default). A run
// past JobTimeout may still be recording its delivery, for up to the
// Store's ReconnectWait while the database is away (see dispatch's
// Config.RescueAfter): a rescue before then would run the job again
// beside it, and post it twice.
func jobTimeouts(attempt time.Duration) (job, rescue time.Duration) {
	attempt = cmp.Or(attempt, broadcast.DefaultAttemptTimeout)
	job = max(dispatch.DefaultJobTimeout, attempt+30*time.Second)
	return job, max(dispatch.DefaultRescueAfter, job+pgstore.DefaultReconnectWait+time.Minute)
}
