// Command server is an HTTP API over package dispatch, for incident tooling
// written in any language: it takes updates as JSON, queues them in
// PostgreSQL, and delivers them to the configured channels from every
// replica that shares the database. Any replica answers about any update.
//
// Usage:
//
//	export DATABASE_URL=postgres://outagecast:PASSWORD@db.example.com:5432/outagecast
//	export OUTAGECAST_API_TOKENS="$(head -c 32 /dev/urandom | base64)"
//	go run ./examples/server -migrate                  # once per deployment and upgrade
//	go run ./examples/server -config outagecast.yaml -listen 127.0.0.1:8070
//
// -config is the announce program's YAML file of channels (see
// examples/announce/outagecast.sample.yaml); without it updates are
// printed on standard output. Every replica needs the same channels, by
// name. The file's retry settings bound each job's retries (zero: 20
// attempts within 6 hours, dispatch's defaults), attempt_timeout each
// attempt; its state (a bolt file) and stages are not used: state lives in
// PostgreSQL, and each channel's job runs on its own.
//
// # API
//
// The OpenAPI 3.1 document, openapi.yaml next to this file, is the
// reference; the server serves it at /openapi.yaml and /openapi.json.
//
//   - POST /v1/updates: an update as JSON, with the field names of
//     broadcast.Update's JSON form (title, status, body, incident_id, …).
//     Its id is the idempotency key: empty, it is derived from the content
//     as the Broadcaster derives it. Without url, when the configuration
//     has a status page (kind statuspage), the update links its
//     incident's page there on every channel, as the announce program and
//     the alertmanager-bridge do with the same file (its id still derived
//     from the content as posted, without that link); corrections
//     likewise. Not when the page will not have that page: the Store has
//     no post of the incident on the page when the update is posted (one
//     read per request), and the page's "when:" leaves the update out (a
//     correction: as Correct routes it). The same update posted again
//     once the page has the incident is queued as it was the first time. 202 with Location: /v1/updates/{id}
//     and the id, the incident id and the update's links. Posting the same
//     update again, to any replica, even at the same moment, answers the
//     same and queues nothing more, except on the channels where it
//     failed: those are queued anew and try again every recipient they
//     did not reach, those that refused it for good included (a wrong
//     secret, a bad address: what refused may have been put right), which
//     is how to retry them once the cause is fixed.
//   - GET /v1/updates/{id}: per channel, the outcome (delivered, pending,
//     failed, skipped, superseded, not_selected, edited (a correction that
//     edited the post in place); delivered_not_recorded (delivered, but
//     the Store could not record it: not failed, and not to be posted
//     again; posting it again queues nothing for it); unknown, see Limits),
//     attempts, the receipt (the post's id and link; its link without
//     user information or query values that look like credentials), errors and the
//     recipients that failed; the retraction's, if one was asked for.
//     ?wait=10s waits up to that long (30s at most) for every job to
//     finish: it reads again when any replica says a job of the update
//     finished (dispatch's Changes), and every 5s in case a notification
//     was lost (every 100ms with -poll-only, where nothing can listen).
//   - POST /v1/updates/{id}/correct: the corrected update as JSON; it
//     gets an id of its own and the incident of the update it corrects.
//     (POST /v1/updates refuses an update with corrects, which would go
//     out anew, labelled a correction, and edit nothing.)
//   - POST /v1/updates/{id}/retract: no body, or an empty JSON object
//     ({}); deletes the update's posts where the platform allows.
//
// Bad requests change nothing: a query parameter the endpoint does not
// take (none takes any but GET's wait; a misspelt one is not ignored), or
// one given twice, is 400 naming each, on every endpoint, the probes
// included; a body not in
// UTF-8 (never posted with replacement characters; one in UTF-16 or
// UTF-32, with a byte order mark or without, is refused saying so), malformed JSON, an unknown field, a value
// of the wrong type or trailing data is 400, a body over -max-body 413, a
// request that has not arrived whole within 30 seconds 408 (send it
// again), a Content-Type other than application/json or a compressed body
// 415, and an update the Broadcaster would refuse 422 (a time more than 5
// minutes ahead of the clock among them). An update of the path that the server
// does not know is 404 before the body is read. A request refused before
// its body is read (its method, path, token, Content-Type, rate limit, a
// Content-Length over -max-body) is
// answered at once and its connection closed, without waiting for the body. A UTF-8 byte order mark
// before the JSON is ignored (RFC 8259, 8.1), and counted in the offsets
// of errors; an escaped UTF-16 surrogate without its pair ("\ud800", RFC
// 8259, 8.2), which encoding/json would post as U+FFFD, is 400. Ids are
// limited to 255 bytes of UTF-8 and the url to 2048; the other limits
// count characters.
// Errors are RFC 9457 problem documents whose detail, and field when
// there is one, name the value at fault as the client wrote it
// ("components[1].status"). A body with several values at fault (up to
// 20) is refused naming them all, so that a client mends them in one go:
// detail says each, field is the first, and errors lists them, each with
// its field and detail. A 400 for values the server cannot read (an
// unknown or repeated field, a value of the wrong type, a lone surrogate)
// names, after them, what the update would be refused for with 422;
// malformed JSON, which ends the reading, is the one error of its answer.
// Any replica may answer 503,
// with Retry-After, when the database is unavailable or does not answer
// within 10 seconds (a network partition would otherwise hold the request
// for minutes); post again then: an update queues once.
//
// # Rate limit
//
// Each API token may queue a burst of -rate-burst updates (default 20),
// then -rate-limit a minute (default 10, one every 6 seconds): posts,
// corrections and retractions together, each of which reaches every
// channel, so that a tool posting in a loop cannot flood them. More are
// refused, before the body is read, with 429, Retry-After (whole seconds)
// and a problem document; nothing is queued, and the same request after
// Retry-After is served. Every POST with a valid token counts, whatever
// its answer (a retry through a database outage, every 5 seconds, drains
// the burst by 2 a minute). GET and the probes are not limited. Give each
// tool a token of its own for budgets of their own. Each replica counts
// its own requests: behind a load balancer over N replicas a client may
// queue up to N times as much. -rate-limit 0 turns the limit off.
//
// # Authentication
//
// Every /v1/ request needs "Authorization: Bearer TOKEN" with one of the
// tokens in OUTAGECAST_API_TOKENS (separated by commas or spaces, at least
// 16 characters each): to rotate, add the new token, move the clients,
// remove the old one. Tokens are compared in constant time; a request
// without one, or with another, gets 401 and a WWW-Authenticate challenge.
//
// /healthz (the process serves), /readyz (the database answers, the
// workers run, and the server is not shutting down), /metrics and the
// OpenAPI document need no token. /metrics is open on purpose: it holds
// counts per channel name and the Go runtime's figures, no update text,
// id or secret, and the API tokens are write credentials that a Prometheus
// scraper should not hold. Keep the server's address internal, or filter
// /metrics at the proxy, if channel names are private.
//
// # Metrics
//
// /metrics has the collector of package dispatch/metrics (attempts,
// deliveries, failures and retries per channel, and the time from enqueue
// to delivery), counting the jobs this replica runs, and the Go runtime's
// and the process's collectors. Sum over replicas in queries.
//
// # Shutdown
//
// On SIGTERM or SIGINT the server fails /readyz and ends waits early, and
// keeps serving for -drain-delay (default 5s, or half of a shorter
// -shutdown-timeout; 0: none), so that load balancers see the failing
// probe and stop sending it requests before it refuses connections; its
// answers then close their connections (Connection: close), so that a
// client that keeps one comes back through the load balancer. Then it
// stops accepting connections, lets the requests under way finish, and
// stops its workers: the jobs they run get what is left of
// -shutdown-timeout (which the drain delay is part of) to finish, and are
// then cancelled, to run again on another replica, resuming where they
// stopped. Set the platform's grace period (Kubernetes'
// terminationGracePeriodSeconds) above -shutdown-timeout.
//
// A second SIGTERM or SIGINT (Ctrl-C again) stops it at once, with exit
// status 130, and the log says what it abandoned: the requests under way
// get no answer (an update not answered 202 may not be queued: post it
// again, its id queues it once); the jobs running on this replica stay in
// PostgreSQL and run again on any replica once River takes them for dead
// (rescue_after in the log, 5 minutes or more), resuming where they
// stopped, so a delivery under way may reach its receiver twice, with the
// same idempotency key. Every update answered 202 is queued in PostgreSQL:
// nothing accepted is lost. A third signal kills the process.
//
// A signal before it serves (while it connects to the database, up to
// connect_timeout, or while the workers start, which check the database
// again through an outage) or during -migrate stops it with exit status
// 130 too: run it again (-migrate takes up where it stopped).
//
// # Limits
//
// The Store forgets, at start-up and every hour, what it recorded more
// than -keep ago (90 days by default, and longer than retry.max_elapsed,
// lest an update still retried lose its marks and be posted again; 0
// keeps everything, and its tables
// then grow with every update for as long as the server runs): an update
// older than that is unknown to GET (404) and to correct and retract, is
// queued anew if posted again, and an incident whose updates are all
// older starts a new thread with its next update. Every replica prunes;
// pruning deletes in small batches, so deliveries do not wait for it.
//
// River deletes finished jobs after a day. After that GET answers from
// the Store's receipts: channels with a post are delivered, the others
// unknown; correct and retract still find the update by its posts, but a
// correction then needs its incident_id (the jobs held the original's).
// An update posted with other content under an id already used is
// refused with 409 while its jobs are kept (a day); after that it is
// queued on the channels without a post of the id, beside the old content
// on the others: give each update an id of its own.
//
// # Exit status
//
// 0 after a clean shutdown; 1 when the database or serving failed, a
// channel did not close cleanly (the log says which), or
// -shutdown-timeout ran out before the requests under way were answered,
// cutting them off; 2 on bad flags (a flag given twice with two values
// among them: -config a.yaml … -config b.yaml, or -poll-only …
// -poll-only=false, would otherwise run with the last), environment or
// configuration, naming the flag, variable or setting; 130 when a signal interrupted it: a second one cut the
// shutdown short, or one came before it served or during -migrate. The
// exit statuses mean the same in every example program.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/examples/internal/durationflag"
	"github.com/outagecast/outagecast/examples/internal/listenaddr"
	"github.com/outagecast/outagecast/examples/internal/onceflag"
	"github.com/outagecast/outagecast/examples/internal/prune"
	"github.com/outagecast/outagecast/examples/internal/shutdown"
)

func main() {
	ctx, abort := shutdown.Signals(os.Interrupt, syscall.SIGTERM)
	os.Exit(run(ctx, os.Args[1:], environ{lookup: os.LookupEnv, stdout: os.Stdout, stderr: os.Stderr, abort: abort}))
}

// options are the command line's.
type options struct {
	listen, config    string
	migrate, pollOnly bool
	workers           int
	rateLimit         int // updates a minute per client; 0: no limit
	rateBurst         int
	maxBody           int64
	shutdownTimeout   time.Duration
	drainDelay        time.Duration
	keep              time.Duration // 0: the Store keeps everything
	logLevel          logLevel
}

const usage = `Usage: server [-config FILE] [-listen ADDR] [flags]
       server -migrate

server is an HTTP API that queues incident updates in PostgreSQL and
delivers them to the channels of FILE, from every replica sharing the
database. The connection string is read from DATABASE_URL, the API's
bearer tokens from OUTAGECAST_API_TOKENS. The API is described at
/openapi.yaml. A flag given twice with two values is an error (-poll-only
… -poll-only=false too).

Flags:
`

func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8070", "`address` to listen on")
	fs.StringVar(&o.config, "config", "", "channels configuration `file` (the announce program's YAML format);\ndefault: print updates on standard output")
	fs.BoolVar(&o.migrate, "migrate", false, "create or upgrade the database's tables, then exit")
	fs.IntVar(&o.workers, "workers", dispatch.DefaultWorkers, fmt.Sprintf("jobs this replica runs at once, at most %d", dispatch.MaxWorkers))
	fs.Int64Var(&o.maxBody, "max-body", defaultMaxBody, "largest request body, in `bytes`")
	fs.IntVar(&o.rateLimit, "rate-limit", defaultRateLimit, "`updates` (posts, corrections, retractions) a minute each API token may queue\nafter a burst of -rate-burst; more are refused with 429; 0: no limit")
	fs.IntVar(&o.rateBurst, "rate-burst", defaultRateBurst, "`updates` each API token may queue at once, before -rate-limit applies")
	o.shutdownTimeout, o.drainDelay = 30*time.Second, defaultDrainDelay
	fs.Var((*durationflag.Value)(&o.shutdownTimeout), "shutdown-timeout", "time (a `duration`, as 30s) requests and jobs under way get to finish on\nSIGTERM or Ctrl-C, the drain delay included; a second one stops at once")
	fs.Var((*durationflag.Value)(&o.drainDelay), "drain-delay", "on SIGTERM or Ctrl-C, how long (a `duration`) /readyz fails while requests are\nstill served, before the listener closes, so that load balancers stop sending\nrequests first; part of -shutdown-timeout (by default at most half of it);\n0: close at once")
	fs.BoolVar(&o.pollOnly, "poll-only", false, "poll for jobs, and for finished jobs in ?wait, instead of listening for them (behind a pooler in transaction mode)")
	o.keep = prune.DefaultKeep
	fs.Var((*prune.Keep)(&o.keep), "keep", "how long the Store keeps an update's marks and posts, and an incident's thread\n(a `duration`: whole days, as 90d, or as 36h): an older update is unknown to GET,\ncorrect and retract, and queued anew if posted again; 0: for ever, the tables\ngrow without end")
	fs.TextVar(&o.logLevel, "log-level", logLevel(slog.LevelInfo), "`level` of the log: debug, info, warn or error")
	fs.SetOutput(io.Discard)
	if err := onceflag.Parse(fs, args); err != nil { // a flag given twice with two values is an error
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !listenaddr.Valid(o.listen): // a flag error before the database is reached
		return nil, fmt.Errorf("-listen: %q: want host:port, as 127.0.0.1:8070", o.listen)
	case o.workers < 1:
		return nil, errors.New("-workers: must be at least 1")
	case o.workers > dispatch.MaxWorkers:
		return nil, fmt.Errorf("-workers: at most %d", dispatch.MaxWorkers)
	case o.maxBody < 1:
		return nil, errors.New("-max-body: must be at least 1")
	case o.rateLimit < 0:
		return nil, errors.New("-rate-limit: negative; 0 means no limit")
	case o.rateLimit > int(time.Minute):
		return nil, fmt.Errorf("-rate-limit: more than %d a minute", int(time.Minute))
	case o.rateBurst < 1 && o.rateLimit > 0:
		return nil, errors.New("-rate-burst: must be at least 1")
	case o.shutdownTimeout < 0:
		return nil, errors.New("-shutdown-timeout: negative")
	case o.drainDelay < 0:
		return nil, errors.New("-drain-delay: negative")
	case o.keep < 0:
		return nil, errors.New("-keep: negative; 0 keeps everything")
	case o.drainDelay > 0 && o.drainDelay >= o.shutdownTimeout && set(fs, "drain-delay"):
		return nil, fmt.Errorf("-drain-delay: %v leaves no time of -shutdown-timeout (%v) for the requests under way", o.drainDelay, o.shutdownTimeout)
	}
	if !set(fs, "drain-delay") {
		o.drainDelay = min(o.drainDelay, o.shutdownTimeout/2)
	}
	return o, nil
}

// logLevel is -log-level's value: a slog.Level whose refusal says what
// the flag takes, where slog's says only that the name is unknown.
type logLevel slog.Level

// UnmarshalText reads a level as slog.Level does ("warn", "INFO+2").
func (l *logLevel) UnmarshalText(text []byte) error {
	if err := (*slog.Level)(l).UnmarshalText(text); err != nil {
		return errors.New("want debug, info, warn or error")
	}
	return nil
}

// MarshalText writes the level as slog.Level does, in lower case ("info",
// "warn+2"), as -help lists the names the flag takes (either case works).
func (l logLevel) MarshalText() ([]byte, error) {
	b, err := slog.Level(l).MarshalText()
	return bytes.ToLower(b), err
}

// defaultDrainDelay is -drain-delay's default: a few of a load balancer's
// readiness checks (Kubernetes probes every 10s by default, and its
// endpoints are updated a moment after a probe fails; a cloud load
// balancer's health check every 5 to 30s). Raise it to the probe's
// period times its failure threshold for no refused connection at all.
const defaultDrainDelay = 5 * time.Second

// set reports whether the command line set the flag name.
func set(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// run runs the command until ctx is done and returns its exit code: 0
// after a clean shutdown, 1 when the database or serving failed, 2 on bad
// flags, environment or configuration, 130 when env.abort (a second
// signal) cut the shutdown short, or when ctx ended before the server
// served (or -migrate finished).
func run(ctx context.Context, args []string, env environ) int {
	o, err := parseFlags(args, env.stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "server: %v\nRun server -help for usage.\n", err)
		return 2
	}
	if o.migrate {
		return migrateOnly(ctx, o, env)
	}
	s, code, err := start(ctx, o, env)
	if err != nil && code == 1 && ctx.Err() != nil {
		// A signal while it connected, not a database failure.
		fmt.Fprintln(env.stderr, "server: interrupted before serving: nothing was queued")
		return shutdown.ExitAbandoned
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "server: %v\n", err)
		return code
	}
	return s.serveExit(ctx, env.abort)
}

// serveExit serves (see serve) and returns the exit code: 0 after a clean
// shutdown, 1 when serving, the shutdown or the close failed (logged,
// through s.log, which hides secrets), 130 when abort cut it short.
func (s *server) serveExit(ctx context.Context, abort <-chan struct{}) int {
	switch err := s.serve(ctx, abort); {
	case errors.Is(err, errAbandoned):
		return shutdown.ExitAbandoned
	case err != nil:
		s.log.Error("serve", slog.Any("error", err))
		return 1
	}
	return 0
}

// migrateOnly is run with -migrate.
func migrateOnly(ctx context.Context, o *options, env environ) int {
	db, err := parseDSN(env, 0)
	if err != nil {
		fmt.Fprintf(env.stderr, "server: %v\n", err)
		return 2
	}
	if err := migrate(ctx, db, newLogger(env.stderr, slog.Level(o.logLevel), db.hide)); err != nil {
		if ctx.Err() != nil {
			// A signal, not a database failure: -migrate again finishes.
			fmt.Fprintln(env.stderr, "server: -migrate: interrupted: run it again to finish the migration")
			return shutdown.ExitAbandoned
		}
		fmt.Fprintf(env.stderr, "server: %v\n", err)
		return 1
	}
	return 0
}

// start checks the environment and configuration, connects to the
// database, binds the listener and starts the workers. On failure the exit
// code says whose fault it was.
func start(ctx context.Context, o *options, env environ) (*server, int, error) {
	t, err := parseTokens(env.get(tokensEnv))
	if err != nil {
		return nil, 2, err
	}
	db, err := parseDSN(env, o.workers)
	if err != nil {
		return nil, 2, err
	}
	f, err := loadConfig(o, env)
	if err != nil {
		return nil, 2, err
	}
	s, err := open(ctx, o, env, db, f, t)
	if err != nil {
		return nil, 1, err
	}
	if s.ln, err = net.Listen("tcp", o.listen); err != nil {
		cerr := s.close()
		return nil, 1, errors.New(s.api.hide(errors.Join(fmt.Errorf("-listen: %w", err), cerr).Error()))
	}
	if err := startWorkers(ctx, s.d, o.shutdownTimeout); err != nil {
		s.ln.Close()
		cerr := s.close()
		if errors.Is(err, dispatch.ErrNotMigrated) {
			err = fmt.Errorf("%w: run the server once with -migrate", err)
		}
		return nil, 1, errors.New(s.api.hide(errors.Join(err, cerr).Error()))
	}
	s.api.running.Store(true)
	if o.keep > 0 {
		s.stopPrune = prune.Start(ctx, o.keep, s.store.Prune, s.log, s.api.hide)
	}
	s.http = newHTTPServer(s.api.handler(), s.log)
	s.log.Info("listening", slog.String("url", listenaddr.URL(s.ln.Addr(), "")), slog.Any("channels", s.b.Channels()),
		slog.Int("workers", o.workers), slog.Int("rate_limit", o.rateLimit), slog.Int("rate_burst", o.rateBurst))
	return s, 0, nil
}

// startWorkers starts d's workers. They outlive ctx: serve stops them after
// the last request. But a signal (ctx done) while Start checks the
// database, which it tries again through an outage for minutes
// (dispatch's ReconnectWait), ends it, as a signal before serving does;
// one that comes as Start returns stops the workers it started, within
// grace. Either way the error is ctx's.
func startWorkers(ctx context.Context, d *dispatch.Dispatcher, grace time.Duration) error {
	run, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	err := d.Start(run)
	if stop() {
		return err // run never ends: the workers run until serve stops them
	}
	if err == nil {
		sctx, cancelStop := context.WithTimeout(context.WithoutCancel(ctx), grace)
		defer cancelStop()
		err = errors.Join(ctx.Err(), d.Stop(sctx))
	}
	return err
}
