// Package pgstore is a broadcast.Store on PostgreSQL, through pgx, for
// instances of a service that deliver updates together: delivery marks,
// receipts and incident threads are shared by every instance connected to
// the same database, and Lock makes the instances deliver an update to a
// channel one at a time.
//
//	pool, err := pgstore.Connect(ctx, os.Getenv("DATABASE_URL")) // or pgxpool.New
//	...
//	if err := pgstore.Migrate(ctx, pool); err != nil { ... } // once per deployment
//	store, err := pgstore.New(ctx, pool)
//	...
//	b, err := broadcast.New(channels, broadcast.Options{Store: store, Lock: store.Lock})
//
// # Schema
//
// The tables (outagecast_marks, outagecast_receipts, outagecast_threads and
// outagecast_migrations) are created by versioned SQL migrations shipped in
// this package, applied only by an explicit Migrate, never as a side effect
// of opening a Store. New and Open check the schema's version and fail with
// ErrNotMigrated on a database Migrate has not brought up to date, and with
// ErrSchemaNewer on one migrated by a newer version of this package that
// this one cannot use.
//
// Each migration records, with its version, the lowest schema version
// whose versions of this package can still read and write the schema it
// leaves: one that only adds (an index) keeps the versions before it, one
// that changes what they read or write (a column) does not. So the version
// before keeps running, and can restart, on a database the new one
// migrated, as long as every migration in between kept it: a rolling
// deploy (Migrate, then replace the replicas one by one) and a rollback
// after Migrate work. Otherwise the version before refuses the database
// with ErrSchemaNewer: stop its replicas before Migrate. Schema versions 2
// (an index), 3 (a column the versions before neither read nor write,
// and its index) and 4 (that index replaced by one of hashes, which long
// incident ids fit) keep version 1. Versions of this package from before these
// records refuse every newer schema, compatible or not: upgrade from them
// by stopping their replicas, running Migrate, then starting the new
// version, and roll back only by restoring the database.
//
// The tables are created in the first schema of the connection's
// search_path; to keep them apart, set search_path in the connection
// string.
//
// # Connection pooling
//
// Every Store call is one statement. A statement whose connection the
// server ended (a restart, a failover, a terminated session), or that
// cannot connect, runs again on another connection, within the caller's
// ctx, until the database has been away for ReconnectWait
// (DefaultReconnectWait, 2 minutes: a managed PostgreSQL typically fails
// over in 35 seconds to 2 minutes), so that a delivery made while
// PostgreSQL restarts or fails over is still recorded. So does a write a
// read-only server refused (SQLSTATE 25006: the pool's connections are
// still on the old primary), each time on a new connection, which may
// reach the new primary; past ReconnectWait it fails with ErrReadOnly. So
// does a statement the server rolled back for a conflict with another
// session's, which took no effect: a serialization failure (SQLSTATE
// 40001, where default_transaction_isolation is repeatable read or
// serializable: two instances writing one row at once) or a deadlock
// (40P01). New refuses a server that is read-only. The Broadcaster
// writes a delivery's marks and receipts, and its Ledger reads marks,
// without the attempt's deadline: ReconnectWait bounds those waits in
// all, not each, as it bounds the outage, not the call: a call made once
// the database has been away that long tries once or twice at once. Each
// connection attempt is bounded by the connection string's
// connect_timeout, which a pool of Connect or Open sets to
// DefaultConnectTimeout when the string does not (set it yourself in a
// pool of pgxpool.New: pgx's default is none, and an attempt to a host
// that drops packets lasts some 2 minutes, as long as all of
// ReconnectWait). SaveReceipt and Prune, whose second
// run could undo another instance's write or miscount, run again only when
// the server cannot have run them, and otherwise fail (an answer lost after
// a commit is an error, which the Broadcaster reports as ErrNotRecorded).
// Lock holds a transaction (see Lock), so a connection pooler in
// transaction mode (PgBouncer's pool_mode=transaction) works: no call
// relies on session state. pgx prepares its statements, which PgBouncer's
// transaction mode supports only from 1.21 on and with
// max_prepared_statements above 0 (its default from 1.24 on; 0, off,
// before): otherwise add default_query_exec_mode=exec to the connection
// string. Each Lock held takes one connection of the pool for as long as
// it is held, and the Stores on a pool (one, or several sharing it) hold
// at most one fewer Locks at once than the pool has connections
// (pool_max_conns; pgxpool's default is the number of CPUs, at least 4),
// so that their holders' own calls find one: more deliveries wait for a
// turn. Size the pool for the deliveries that should
// run at once plus the Store's other calls (see package dispatch).
//
// # Limits
//
// Receipts are stored as JSON: a receipt's strings that are not valid UTF-8
// come back with U+FFFD in place of the invalid bytes. Its times come back
// as the instants saved, to the nanosecond, in the zone's offset they were
// saved in, or in UTC when that offset has seconds (local mean time), which
// JSON's RFC 3339 cannot write (in that offset rounded away from zero to
// the minute where UTC's year would be outside RFC 3339's, 0 to 9999; a
// receipt's times must be in those years in their own zone). Marks, ids, channel
// names and targets are kept byte for byte. Nothing is ever deleted but by
// Prune, whose deleted rows' space VACUUM (autovacuum) reclaims for new
// rows, without shrinking the tables' files (see Store.Prune).
//
// # Errors
//
// Errors start with "pgstore: " and wrap the driver's error; they never
// contain the connection string's password. A call whose ctx ended while
// the database was away, or rolled its statement back in a conflict (its
// statement tried again), fails with an error that matches both ctx's
// error (context.DeadlineExceeded, context.Canceled) and the connection's
// last, or the conflict's, and says the tries stopped because the context
// ended. A Store not made by New or
// Open (a nil *Store, a zero Store) fails every call, saying so.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/pghost"
	"github.com/outagecast/outagecast/internal/pgretry"
)

// Errors of New and Open about the database's schema.
var (
	// ErrNotMigrated: the database lacks the tables, or has an older version
	// of them; run Migrate.
	ErrNotMigrated = errors.New("pgstore: database schema not migrated")
	// ErrSchemaNewer: the database was migrated by a newer version of this
	// package, with a migration this one is not compatible with: it might
	// write what the newer one cannot read. The error names the database's
	// version, the lowest version that can use it, and this package's.
	ErrSchemaNewer = errors.New("pgstore: database schema is newer than this package")
)

// ErrReadOnly: the server is read-only (a standby, or a server whose
// default_transaction_read_only is on: an old primary after a failover, a
// server that went read-only on a full disk), and cannot record
// deliveries. New and Open fail with it. A write that meets one (a
// failover under way) is tried again, on a new connection, for
// ReconnectWait, then fails with it, wrapping the server's error.
var ErrReadOnly = errors.New("pgstore: server is read-only")

// readOnlyHint is what to do about ErrReadOnly.
const readOnlyHint = pgretry.ReadOnlyHint

// Store is a broadcast.Store in a PostgreSQL database. It is safe for
// concurrent use by many goroutines and many processes.
type Store struct {
	pool *pgxpool.Pool
	own  bool // the pool was opened by Open, so Close closes it
	// held has a slot per Lock held (or being taken) on the pool, by this
	// Store or any other on the same pool (see poolSlots).
	held chan struct{}
	// outage runs the statements, again when their connection broke, for
	// ReconnectWait in all through one outage.
	outage pgretry.Outage
}

// DefaultReconnectWait is how long, by default, a statement whose
// connection the server ended, or that cannot connect, is tried again
// (see ReconnectWait): a managed PostgreSQL's failover, which typically
// takes 35 seconds to 2 minutes (Amazon RDS's Multi-AZ clusters and
// instances).
const DefaultReconnectWait = 2 * time.Minute

// An Option configures a Store made by New or Open. A nil Option is
// ignored, as a nil *boltstore.Options means the defaults.
type Option func(*Store)

// ReconnectWait sets how long a statement whose connection to the server
// broke (a restart, a failover, a network failure), or that cannot
// connect, is tried again before its error is returned; the caller's ctx
// ends the wait earlier. It counts from the first failed try since a try
// last reached the server, whichever call made it: the calls made one
// after another through one outage wait d in all, and each call made
// past it tries once or twice at once, until one reaches the server. A mark that cannot be written within it makes
// the Broadcaster report the delivery ErrNotRecorded. Zero means
// DefaultReconnectWait; a negative d, no try again.
func ReconnectWait(d time.Duration) Option {
	return func(s *Store) { s.outage.Wait = d }
}

var _ broadcast.Store = (*Store)(nil)

// New returns a Store using pool, after checking that its schema is at the
// version this package needs (see Migrate), or at a newer one still
// compatible with it (see the package doc, Schema). A pool whose host
// holds an "@", or that sets after a password a setting that may be the
// password's rest, is refused, as by Open. Close does not close pool.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	return newKnowing(ctx, pool, SchemaVersion, opts...)
}

// newKnowing is New of a version of this package whose SchemaVersion was
// known.
func newKnowing(ctx context.Context, pool *pgxpool.Pool, known int, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: New: pool: missing")
	}
	if ctx == nil {
		return nil, fmt.Errorf("pgstore: New: %w", errNilContext)
	}
	if err := pghost.Check(pool.Config().ConnConfig); err != nil {
		return nil, fmt.Errorf("pgstore: New: pool: %w", err)
	}
	s := &Store{pool: pool}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if s.outage.Wait == 0 {
		s.outage.Wait = DefaultReconnectWait
	}
	if err := checkWritable(ctx, pool); err != nil {
		return nil, err
	}
	if err := checkVersion(ctx, pool, known); err != nil {
		return nil, err
	}
	s.held = poolSlots(pool)
	return s, nil
}

// checkWritable fails with ErrReadOnly when pool's server is read-only:
// every delivery's mark would fail, after its post was made.
func checkWritable(ctx context.Context, pool *pgxpool.Pool) error {
	why, err := pgretry.ServerReadOnly(ctx, pool)
	switch {
	case err != nil:
		return fmt.Errorf("pgstore: %w", err)
	case why != "":
		return fmt.Errorf("%w (%s): %s", ErrReadOnly, why, readOnlyHint)
	}
	return nil
}

// slots holds, per pool, a slot for each Lock held on it (or being taken)
// by any of the Stores using it: at most one fewer than the pool's
// connections, so that the holders' own Store calls always find one. Per
// Store, two Stores on one pool could together hold every connection. An
// entry goes when its pool is garbage: keyed by a weak pointer, it does not
// keep the pool alive.
var slots struct {
	sync.Mutex
	m map[weak.Pointer[pgxpool.Pool]]chan struct{}
}

// poolSlots returns pool's slots (see slots).
func poolSlots(pool *pgxpool.Pool) chan struct{} {
	k := weak.Make(pool)
	slots.Lock()
	defer slots.Unlock()
	if c, ok := slots.m[k]; ok {
		return c
	}
	if slots.m == nil {
		slots.m = map[weak.Pointer[pgxpool.Pool]]chan struct{}{}
	}
	c := make(chan struct{}, max(pool.Config().MaxConns-1, 0))
	slots.m[k] = c
	runtime.AddCleanup(pool, func(k weak.Pointer[pgxpool.Pool]) {
		slots.Lock()
		defer slots.Unlock()
		delete(slots.m, k)
	}, k)
	return c
}

// Open connects to the database of the connection string connString (a URL
// or key=value pairs, as pgxpool.ParseConfig takes them) and returns a
// Store on it, after checking its schema as New does. An empty string, or
// a URL whose scheme is not postgres:// or postgresql://, is an error: pgx
// would otherwise fall back to a local socket and defaults. So is a URL
// that a user name or password holding a raw "/", "?" or "@" cut short
// (write them %2F, %3F, %40): pgx would read its rest as a host, a port,
// a database name or a query, which would go to the DNS and into the
// error. So is a URL whose query sets, after password= or sslpassword=, a
// run-time setting (one pgx does not read itself, which it sends to the
// server) that is none PostgreSQL is known to take, or a host, port, user,
// database or file (host=, port=, user=, dbname=, sslrootcert=, …): it
// may be the rest of a password holding a raw "&" (write it %26), which
// would be sent to the DNS or the server and printed in their errors; put
// such settings before the password. So are key=value pairs that set such
// a run-time setting after a password not in quotes, which may be the rest
// of a password holding a space (write it password='…'). Settings
// PostgreSQL takes (application_name=, search_path=, TimeZone=, …) may
// follow a password. Close closes the connections.
func Open(ctx context.Context, connString string, opts ...Option) (*Store, error) {
	pool, err := Connect(ctx, connString)
	if err != nil {
		return nil, err
	}
	s, err := New(ctx, pool, opts...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.own = true
	return s, nil
}

// Connect opens a pool of connections to the database of connString, and
// checks that it answers. An empty connString, a URL of another scheme,
// a URL that a user name or password holding a raw "/", "?" or "@" cut
// short, or one that sets after a password a setting that may be the
// password's rest, is an error, as for Open. Each connection attempt is bounded by the
// string's connect_timeout, or else DefaultConnectTimeout: a pool of
// pgxpool.New has no such bound unless the string sets one.
func Connect(ctx context.Context, connString string) (*pgxpool.Pool, error) {
	cfg, err := ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	return connect(ctx, cfg)
}

// DefaultConnectTimeout bounds each connection attempt of a pool made by
// Connect or Open (the connection, TLS and authentication, per host)
// whose connection string sets no connect_timeout, or sets 0. Without
// it, pgx sets none: an attempt to a host that drops packets (one failing
// over, a firewall) lasts until the system gives up on the connection,
// about 2 minutes on Linux, past a call's ReconnectWait, and a statement
// whose ctx has no deadline (a mark written after a delivery) waits as
// long before its first try fails. connect_timeout=N (seconds) in the
// connection string sets another bound.
const DefaultConnectTimeout = 10 * time.Second

// ParseConfig parses connString as Connect does, without connecting, for
// a caller that sizes or configures the pool itself before it calls
// pgxpool.NewWithConfig: pgx's config, with DefaultConnectTimeout when the
// string sets no connect_timeout (pgx reads connect_timeout=0 as none, as
// libpq does; both get the default). It refuses what Connect refuses (an
// empty string, a URL of another scheme, a URL that a user name or
// password holding a raw "/", "?" or "@" cut short, a setting after a
// password that may be its rest), and its errors never quote the
// string, nor a setting's value: pgx's would, with only the passwords it
// recognises masked.
func ParseConfig(connString string) (*pgxpool.Config, error) {
	if strings.TrimSpace(connString) == "" {
		return nil, errors.New("pgstore: connection string: missing (an empty one would connect to a local socket with defaults)")
	}
	if otherScheme(connString) {
		return nil, errors.New("pgstore: connection string: scheme: not postgres:// nor postgresql:// " +
			"(pgx would read the URL as key=value pairs and connect to a local socket with defaults)")
	}
	if err := cutPassword(connString); err != nil {
		return nil, fmt.Errorf("pgstore: connection string: %w", err)
	}
	// Before pgx reads the files it names: its error would print the path.
	if err := pghost.CheckAfterPassword(connString, nil); err != nil {
		return nil, fmt.Errorf("pgstore: connection string: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connection string: %w", withoutConnString(err, connString))
	}
	if err := pghost.Check(cfg.ConnConfig); err != nil {
		return nil, fmt.Errorf("pgstore: connection string: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// pgconn bounds each host's whole connection process by it.
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	return cfg, nil
}

// cutPassword returns an error when connString is a URL that a user name
// or password holding a raw "/", "?" or "@" cut short. pgx, as libpq, ends
// a URL's user information at an "@" that comes before any "/", and the
// host and port at the first "/", "?" or ",": the rest of the password
// then becomes the host (a socket's directory when it starts with "%2F"),
// the port, the database name or the query, which pgx's errors print and
// the DNS is asked about. After the user information, if any, such a URL
// holds an "@" that
//
//   - comes before any "/": in a host, a port or a query without a
//     database name;
//   - follows a host and port that are the user name and the password's
//     start ("ada:1234/…@", "ada:/…@"), when there is no user information;
//   - follows an empty host ("ada:pw@/…@"): the socket's default;
//   - is followed by a "/" or a ":" before any "?", "&" or "=": the host
//     and port the user meant, which no database name holds (a query
//     value may hold them, as sslrootcert=/etc/ssl/ca.pem does, after its
//     "=").
//
// A "@" in a database name ("/db@x") is none of these; one written %40
// is none.
func cutPassword(connString string) error {
	p, ok := strings.CutPrefix(connString, "postgresql://")
	if !ok {
		if p, ok = strings.CutPrefix(connString, "postgres://"); !ok {
			return nil
		}
	}
	userinfo := false
	if i := strings.IndexAny(p, "@/"); i >= 0 && p[i] == '@' {
		p, userinfo = p[i+1:], true
	}
	before, rest, at := strings.Cut(p, "@")
	if !at {
		return nil
	}
	hosts, _, path := strings.Cut(before, "/")
	_, port, hasPort := strings.Cut(hosts, ":")
	inQuery := strings.Contains(before, "?")             // the "@" is in a query value
	restHead := rest[:strings.IndexAny(rest+"?", "?&=")] // what follows it, up to the query or its next key
	switch {
	case !path && !inQuery:
		return errHostAt
	case !path, strings.ContainsAny(restHead, "/:"),
		userinfo && hosts == "",
		!userinfo && !inQuery && hasPort && strings.Trim(port, "0123456789") == "":
		return errCut
	}
	return nil
}

// Errors of a URL that a user name or password cut short (see cutPassword).
var (
	errHostAt = pghost.ErrAt
	errCut    = errors.New(`a URL with an "@" where no host, port or database name holds one: a user name or ` +
		`password cut short by a "/", "?" or "@" written raw (write a "/" in the user name or password as %2F, ` +
		`a "?" as %3F, and an "@" in the password or the database name as %40)`)
)

// connect opens a pool with cfg and checks that it answers.
func connect(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	if ctx == nil {
		// pgxpool would panic on a goroutine of its own, which no caller
		// can recover.
		return nil, fmt.Errorf("pgstore: connect: %w", errNilContext)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	return pool, nil
}

// otherScheme reports whether connString is a URL that pgx does not take
// for one (POSTGRES://, postgress://, a leading space): the key of its
// first key=value pair holds "://".
func otherScheme(connString string) bool {
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		return false
	}
	key, _, _ := strings.Cut(connString, "=")
	return strings.Contains(key, "://")
}

// withoutConnString is pgx's error for a connection string it cannot
// parse, without the string. pgx repeats the string with the passwords it
// recognises masked, which misses some ("password = x", a quoted one with
// an escaped quote), and keeps it whole in the error's ConnString. Its
// text may quote a setting's value after a ": " ("unknown
// target_session_attrs value: x"), which may be the part of a query
// parameter's password after a raw "&": the text is cut there, keeping
// the setting's name. The error it wraps may quote a part of the string
// too: it is left out when it quotes anything but the name of a setting.
func withoutConnString(err error, connString string) error {
	pe, ok := errors.AsType[*pgconn.ParseConfigError](err)
	if !ok {
		return errors.New("cannot parse")
	}
	safe := *pe
	safe.ConnString = "REDACTED"
	inner := errors.Unwrap(pe)
	// pgx's text is "cannot parse `…`: msg (inner)".
	msg := safe.Error()
	if inner != nil {
		if msg, ok = strings.CutSuffix(msg, " ("+inner.Error()+")"); !ok {
			return errors.New("cannot parse")
		}
		if !quotesOnlyKeys(inner.Error(), connString) {
			inner = nil
		}
	}
	_, msg, _ = strings.Cut(msg, "`: ")
	msg, _, _ = strings.Cut(msg, ": ")
	return pgconn.NewParseConfigError(safe.ConnString, msg, inner)
}

// quoted is a part of an error's text in double quotes.
var quoted = regexp.MustCompile(`"[^"]*"`)

// quotesOnlyKeys reports whether every part of text in double quotes is
// the separator "=" (as in pgx's "missing key/value separator "="") or
// the name of a setting ("sslcert" and "sslkey" in
// "both "sslcert" and "sslkey" are required"): lower-case letters and
// underscores, written as a key in connString (at its start or after a
// space, "?" or "&", and before an "="; in a URL's query, before its
// password) or not in it at all. Any other
// may be a piece of the string, and of its password (one ending a key:
// "ert" of "sslcert="); so may any text with a backslash, whose quotes
// may be escaped.
func quotesOnlyKeys(text, connString string) bool {
	for _, q := range quoted.FindAllString(text, -1) {
		s := q[1 : len(q)-1]
		word := s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz_") == ""
		if s != "=" && !(word && (isKey(connString, s) || !strings.Contains(connString, s))) {
			return false
		}
	}
	return !strings.Contains(text, "\\")
}

// isKey reports whether word, a setting's name, is written as a key in
// connString, before a URL's query password (see pghost.BeforePassword):
// after it, a key may be the rest of the password.
func isKey(connString, word string) bool {
	return regexp.MustCompile(`(^|[\s?&])` + regexp.QuoteMeta(word) + `\s*=`).MatchString(pghost.BeforePassword(connString))
}

// Pool returns the Store's connection pool, to share with package dispatch
// or the caller's own queries.
func (s *Store) Pool() *pgxpool.Pool {
	if s == nil {
		return nil
	}
	return s.pool
}

// Close closes the pool if Open opened it, after every Lock still held was
// unlocked (it waits for them); a Store from New leaves the pool to its
// owner.
func (s *Store) Close() error {
	if s != nil && s.own {
		s.pool.Close()
	}
	return nil
}
