// Package pgretry runs PostgreSQL statements again when their connection
// to the server broke, as a restart, a failover or a network failure breaks
// the idle connections a pool keeps: the first statement on each would
// fail otherwise. broadcast/pgstore and dispatch share it.
package pgretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// firstWaits are the first waits before each new try of a statement
// whose connection broke: the first at once (the pool has dropped the
// broken connection, and another, or a new one, may well work), then
// longer; every wait after them is maxWait.
var firstWaits = [...]time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
	400 * time.Millisecond, 800 * time.Millisecond}

// maxWait is the longest wait between two tries.
const maxWait = time.Second

// Do runs fn, and again while it fails because its connection to the
// server broke, or cannot be made (see ConnectionLost), or because the
// server rolled it back in a conflict with another session's (see
// Conflict), for up to wait in all and until ctx ends; then it returns
// fn's last error. When ctx's end stopped the tries, or cut the last one
// short, the error matches both ctx's error (errors.Is with
// context.DeadlineExceeded or context.Canceled) and the last error that
// was worth another try: the connection's (ConnectionLost holds) or the
// conflict's (Conflict holds, ConnectionLost does not: the server
// answered), and says the tries stopped because ctx ended, once: also
// when fn's error was that of a retry inside it that said so, which it
// then joins to its own earlier try's error worth another try, if any:
// errors.Is and errors.As find both, the last try's first, and
// ConnectionLost, Conflict, ReadOnly and NotRun judge the last alone. A
// negative wait runs fn once. The pool keeps idle connections that the server
// ended (a restart, a failover, pg_terminate_backend, a network failure):
// without this, the first statement on each fails, and a mark written
// after a delivery is reported as not recorded. fn must be safe to run
// twice even when its first run took effect: a read, an upsert of the
// same values, a lock (one whose connection broke holds nothing), or an
// insert of unique rows. For a statement that is not, use Unrun.
func Do(ctx context.Context, wait time.Duration, fn func() error) error {
	return while(ctx, wait, lostOrConflict, fn)
}

// lostOrConflict is what Do tries again after: see Do.
func lostOrConflict(err error) bool { return ConnectionLost(err) || Conflict(err) }

// Unrun is Do for a statement that must not run twice: it runs fn again
// only when the server cannot have run it (see NotRun). A connection
// lost after the statement was sent may have lost the answer of a
// statement that committed: that error is returned. Repeating it could
// undo what another instance wrote meanwhile (a thread's latest post set
// back to an older one), or count twice.
func Unrun(ctx context.Context, wait time.Duration, fn func() error) error {
	return while(ctx, wait, NotRun, fn)
}

// Outage runs statements with Do or Unrun for what is left of Wait since
// the database went away: once it has been away that long, a statement
// is tried once. So the statements made one after another through one
// outage (a delivery's marks and receipts, written without the caller's
// deadline; a worker's reads) wait Wait in all, not each. A try that
// reaches the server ends the outage. Its zero value with Wait set is
// ready to use; it is safe for concurrent use.
type Outage struct {
	// Wait is how long the statements made through one outage are tried
	// again, in all; negative: never tried again. Set it before first use.
	Wait time.Duration
	// away is when the database went away (time.Time.UnixNano of the
	// first failed try since the last that reached it), 0 when it is not.
	away atomic.Int64
}

// Do is Do, within what is left of o.Wait.
func (o *Outage) Do(ctx context.Context, fn func() error) error {
	return while(ctx, o.left(), lostOrConflict, o.watch(ctx, fn))
}

// Unrun is Unrun, within what is left of o.Wait.
func (o *Outage) Unrun(ctx context.Context, fn func() error) error {
	return while(ctx, o.left(), NotRun, o.watch(ctx, fn))
}

// left is what is left of o.Wait since the database went away; negative
// (one try) once nothing is.
func (o *Outage) left() time.Duration {
	wait := o.Wait
	if since := o.away.Load(); since != 0 && wait > 0 {
		if wait -= time.Since(time.Unix(0, since)); wait <= 0 {
			wait = -1
		}
	}
	return wait
}

// watch returns fn, noting in o when the database went away and when a
// try reached it again.
func (o *Outage) watch(ctx context.Context, fn func() error) func() error {
	return func() error {
		err := fn()
		switch {
		case err == nil:
			o.away.Store(0)
		case ConnectionLost(err):
			o.away.CompareAndSwap(0, time.Now().UnixNano())
		case ctx.Err() == nil: // the server answered
			o.away.Store(0)
		}
		return err
	}
}

func while(ctx context.Context, wait time.Duration, again func(error) bool, fn func() error) error {
	deadline := time.Now().Add(wait)
	var lost error // the last error worth another try that is not ctx's
	for i := 0; ; i++ {
		err := fn()
		if err == nil {
			return nil
		}
		if (ConnectionLost(err) || Conflict(err)) && (ctx.Err() == nil || !errors.Is(err, ctx.Err())) {
			lost = err
		}
		if ctx.Err() != nil {
			return ended(ctx, err, lost)
		}
		if !again(err) {
			return err
		}
		next := maxWait
		if i < len(firstWaits) {
			next = firstWaits[i]
		}
		if time.Now().Add(next).After(deadline) {
			return err
		}
		if next > 0 {
			t := time.NewTimer(next)
			select {
			case <-ctx.Done():
				t.Stop()
				return ended(ctx, err, lost)
			case <-t.C:
			}
		}
	}
}

// ended is the error of a statement, whose last try failed with err, that
// ctx's end kept from being tried again. When the database was away or
// rolled the statement back in a conflict (lost, the last try's error or,
// for a try ctx's end cut short, an earlier one's), it says so and that
// ctx ended: the caller tells its own deadline or cancellation from the
// database's failure, and the failure from its deadline. Otherwise err is
// returned as it is, and so is an err of ctx's end that says so already:
// that of a retry inside fn (a Store's read in a queue's transaction),
// which the same end stopped; joined to lost, an earlier try's, when err
// does not hold it.
func ended(ctx context.Context, err, lost error) error {
	_, said := errors.AsType[*endedError](err)
	switch {
	case lost == nil:
		return err
	case said && errors.Is(err, ctx.Err()):
		if errors.Is(err, lost) {
			return err
		}
		return &earlierError{last: err, earlier: lost}
	case err == lost:
		return &endedError{last: lost, ctx: ctx.Err()}
	case errors.Is(err, ctx.Err()):
		return &endedError{last: lost, ctx: err}
	default: // the statement's own error
		return err
	}
}

// endedError is the error of a statement whose tries ctx's end stopped:
// last is the last error worth another try (a lost connection, a
// conflict), ctx the context's. A last that is itself one (a retry
// inside fn stopped by the end of a context of its own, and tried again)
// says the tries stopped already, and is not said to again.
type endedError struct{ last, ctx error }

func (e *endedError) Error() string {
	if _, ok := errors.AsType[*endedError](e.last); ok {
		return fmt.Sprintf("%v (then the context of the tries around it ended: %v)", e.last, e.ctx)
	}
	return fmt.Sprintf("%v (tries stopped because the context ended: %v)", e.last, e.ctx)
}

func (e *endedError) Unwrap() []error { return []error{e.last, e.ctx} }

// earlierError is the error of a statement whose last try's error, last,
// is that of a retry inside it that ctx's end stopped and says so, after
// an earlier try failed with earlier (a conflict, a lost connection): it
// matches both, and says only once that the tries stopped.
type earlierError struct{ last, earlier error }

func (e *earlierError) Error() string {
	return fmt.Sprintf("%v (after an earlier try around it failed: %v)", e.last, e.earlier)
}

func (e *earlierError) Unwrap() []error { return []error{e.last, e.earlier} }

// lastTry returns the error of err's last try: that of an earlierError in
// err's tree, which errors.As would judge by its earlier try where the
// last holds none of what it looks for; err itself otherwise.
func lastTry(err error) error {
	if e, ok := errors.AsType[*earlierError](err); ok {
		return lastTry(e.last)
	}
	return err
}

// NotRun reports whether err says the statement did not run: the server
// ended the session before or while running it (SQLSTATE class 57P: an
// autocommit statement it ends is rolled back), refused it as a write on
// a read-only server (see ReadOnly), rolled it back in a conflict (see
// Conflict), the connection could not be made, or the error came before
// anything was sent.
func NotRun(err error) bool {
	err = lastTry(err)
	if ReadOnly(err) || Conflict(err) {
		return true
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return strings.HasPrefix(pgErr.Code, "57P")
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	return pgconn.SafeToRetry(err)
}

// ConnectionLost reports whether err says the connection to the server
// failed, not the statement: the server ended the session (class 57P:
// shutdown, termination; class 08: connection exception), the connection
// was closed or could not be made, or the network failed; or that the
// connection reached a server that cannot write (see ReadOnly): a failover
// under way, which a new connection may get past. A context's end is not
// one; but the error of Do or Unrun whose tries a context's end stopped is
// one when the last try's error is: the database was away.
func ConnectionLost(err error) bool {
	err = lastTry(err)
	if e, ok := errors.AsType[*endedError](err); ok {
		return ConnectionLost(e.last)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if ReadOnly(err) {
		return true
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return strings.HasPrefix(pgErr.Code, "57P") || strings.HasPrefix(pgErr.Code, "08")
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Conflict reports whether err is the server's rollback of a statement's
// transaction for a conflict with another session's: a serialization
// failure (SQLSTATE 40001; under the repeatable read or serializable
// isolation, which default_transaction_isolation may make every
// transaction's, a row another session changed since the statement
// began) or a deadlock (40P01). Nothing of it took effect, and run again
// it may well succeed. A connection's end is not one (see ConnectionLost).
func Conflict(err error) bool {
	err = lastTry(err)
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// ReadOnly reports whether err is the server's refusal of a write because
// it is read-only (SQLSTATE 25006, read_only_sql_transaction): the
// connection reached a standby, or a server whose
// default_transaction_read_only is on (an old primary after a failover, a
// server that went read-only on a full disk). The statement did not run.
// The connection is sound, but stays on that server: the caller closes it
// so that the pool's next connection, made anew, may reach the primary.
func ReadOnly(err error) bool {
	err = lastTry(err)
	if errors.Is(err, ErrServerReadOnly) {
		return true
	}
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && pgErr.Code == "25006"
}

// NoTimeouts, run in a transaction, lifts for the rest of it the server's
// timeouts (as the server, the database, the role or the connection
// string set them) that would end a wait for an advisory lock, or the
// session holding one while it idles: only the caller's ctx bounds them.
// Migrate's lock in broadcast/pgstore and in dispatch uses it: another
// process's migration may take a while, and one that waits for it must not
// fail, nor one holding the lock lose it mid-migration.
const NoTimeouts = "SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0; " +
	"SET LOCAL idle_in_transaction_session_timeout = 0; " + NoTransactionTimeout

// NoTransactionTimeout, run in a transaction, lifts for the rest of it the
// transaction_timeout of PostgreSQL 17 and later, which would end the
// session: set to 0 in the transaction, it stops the timer BEGIN started.
// Where the server has no such setting it does nothing.
const NoTransactionTimeout = "SELECT set_config('transaction_timeout', '0', true) " +
	"WHERE current_setting('transaction_timeout', true) IS NOT NULL"

// ServerReadOnly reports why the server of q (a pool, a connection) is read-only, "a standby" or
// "default_transaction_read_only is on", or "" when it takes writes: a
// check made before starting work that writes (a Store's marks, a queue's
// jobs), which a read-only server would refuse only later, one at a time.
func ServerReadOnly(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (string, error) {
	var readOnly, standby bool
	err := q.QueryRow(ctx, "SELECT current_setting('transaction_read_only') = 'on', pg_is_in_recovery()").
		Scan(&readOnly, &standby)
	switch {
	case err != nil:
		return "", fmt.Errorf("read whether the server is read-only: %w", err)
	case standby:
		return "a standby", nil
	case readOnly:
		return "default_transaction_read_only is on", nil
	}
	return "", nil
}

// ReadOnlyHint is what to do about a server found read-only.
const ReadOnlyHint = "point the connection string at the primary, or add target_session_attrs=read-write to it, " +
	"listing every server's host (its connections then go to whichever is the primary)"

// ReadOnlyError is the error of a call whose statement a read-only server
// refused (err, for which ReadOnly holds): readOnly (pgstore.ErrReadOnly),
// what to do about it (ReadOnlyHint), and err, as
// "<readOnly> (<ReadOnlyHint>): <err>". It matches both readOnly and err.
func ReadOnlyError(readOnly, err error) error {
	return fmt.Errorf("%w (%s): %w", readOnly, ReadOnlyHint, err)
}

// ErrServerReadOnly is the error of a statement its caller did not run,
// or whose effect it did not keep, because it found its connection on a
// read-only server (pg_is_in_recovery(), transaction_read_only) where the
// server itself refuses nothing: an advisory lock, which a standby grants
// but which excludes no one on the primary. ReadOnly holds for it.
var ErrServerReadOnly = errors.New("the connection's server is read-only (a standby, or default_transaction_read_only is on)")

// OnConn runs fn on a connection of pool acquired for it, released when
// fn returns, and returns fn's error. A connection whose server fn found
// read-only (ReadOnly holds for its error: a failover under way) is
// closed, so that the pool drops it, and the next try connects anew,
// which may reach the primary: put back, it would be handed out again,
// and refuse every try of Do or Unrun until their wait ran out.
func OnConn(ctx context.Context, pool *pgxpool.Pool, fn func(*pgxpool.Conn) error) error {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	err = fn(c)
	DropReadOnly(ctx, c.Conn(), err)
	return err
}

// DropReadOnly closes conn when err says its server is read-only (see
// ReadOnly), for a caller that holds a connection of a pool beyond one
// call (see OnConn): released, the pool then drops it.
func DropReadOnly(ctx context.Context, conn *pgx.Conn, err error) {
	if ReadOnly(err) {
		_ = conn.Close(ctx)
	}
}
