package pgstore

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// retryWaits are the waits before each new try of a statement whose
// connection broke: the first at once (the pool has dropped the broken
// connection, and another, or a new one, may well work), then longer,
// about 4.5 seconds in all, the time a server takes to restart or fail
// over. Past them the error is returned.
var retryWaits = [...]time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
	400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second, time.Second}

// retry runs fn, and again while it fails because its connection to the
// server broke (see connectionLost), within retryWaits and until ctx ends.
// The pool keeps idle connections that the server ended (a restart, a
// failover, pg_terminate_backend, a network failure): without this, the
// first statement on each fails, and a mark written after a delivery is
// reported as ErrNotRecorded. Every statement of the Store may run twice:
// marks and receipts are upserts of the same values, reads and deletes are
// the same again, and a Lock whose connection broke holds nothing.
func retry(ctx context.Context, fn func() error) error {
	err := fn()
	for _, wait := range retryWaits {
		if err == nil || !connectionLost(err) || ctx.Err() != nil {
			return err
		}
		if wait > 0 {
			t := time.NewTimer(wait)
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

// connectionLost reports whether err says the connection to the server
// failed, not the statement: the server ended the session (class 57P:
// shutdown, termination; class 08: connection exception), the connection
// was closed or could not be made, or the network failed. A context's end
// is not one.
func connectionLost(err error) bool {
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
