// Package pgretry runs PostgreSQL statements again when their connection
// to the server broke, as a restart, a failover or a network failure breaks
// the idle connections a pool keeps: the first statement on each would
// fail otherwise. broadcast/pgstore and dispatch share it.
package pgretry

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
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
// server broke, or cannot be made (see ConnectionLost), for up to wait in
// all and until ctx ends; then it returns fn's last error. A negative
// wait runs fn once. The pool keeps idle connections that the server
// ended (a restart, a failover, pg_terminate_backend, a network failure):
// without this, the first statement on each fails, and a mark written
// after a delivery is reported as not recorded. fn must be safe to run
// twice even when its first run took effect: a read, an upsert of the
// same values, a lock (one whose connection broke holds nothing), or an
// insert of unique rows. For a statement that is not, use Unrun.
func Do(ctx context.Context, wait time.Duration, fn func() error) error {
	return while(ctx, wait, ConnectionLost, fn)
}

// Unrun is Do for a statement that must not run twice: it runs fn again
// only when the server cannot have run it (see NotRun). A connection
// lost after the statement was sent may have lost the answer of a
// statement that committed: that error is returned. Repeating it could
// undo what another instance wrote meanwhile (a thread's latest post set
// back to an older one), or count twice.
func Unrun(ctx context.Context, wait time.Duration, fn func() error) error {
	return while(ctx, wait, NotRun, fn)
}

func while(ctx context.Context, wait time.Duration, again func(error) bool, fn func() error) error {
	deadline := time.Now().Add(wait)
	err := fn()
	for i := 0; err != nil && again(err) && ctx.Err() == nil; i++ {
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
				return err
			case <-t.C:
			}
		}
		err = fn()
	}
	return err
}

// NotRun reports whether err says the statement did not run: the server
// ended the session before or while running it (SQLSTATE class 57P: an
// autocommit statement it ends is rolled back), the connection could not be
// made, or the error came before anything was sent.
func NotRun(err error) bool {
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
// was closed or could not be made, or the network failed. A context's end
// is not one.
func ConnectionLost(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
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
