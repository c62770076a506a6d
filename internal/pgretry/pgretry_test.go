package pgretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

func TestConnectionLostAndNotRun(t *testing.T) {
	for _, tt := range []struct {
		name         string
		err          error
		lost, notRun bool
	}{
		{"terminated by an administrator", &pgconn.PgError{Code: "57P01"}, true, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true, false},
		{"read-only server", &pgconn.PgError{Code: "25006"}, true, true},
		{"read-only server, wrapped", fmt.Errorf("mark: %w", &pgconn.PgError{Code: "25006"}), true, true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false, false},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false, true},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, false, true},
		{"context ended", context.DeadlineExceeded, false, false},
		{"other", errors.New("boom"), false, false},
	} {
		assert.Equal(t, tt.lost, ConnectionLost(tt.err), tt.name)
		assert.Equal(t, tt.notRun, NotRun(tt.err), tt.name)
	}
}

// Do runs fn again while its connection broke, and no more once it
// succeeds, fails otherwise, or ctx ends.
func TestDo(t *testing.T) {
	lost := &pgconn.PgError{Code: "57P01"}
	n := 0
	err := Do(context.Background(), time.Minute, func() error {
		if n++; n < 3 {
			return lost
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 3, n)

	n = 0
	other := errors.New("syntax error")
	assert.Same(t, other, Do(context.Background(), time.Minute, func() error { n++; return other }))
	assert.Equal(t, 1, n)

	n = 0
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Do(ctx, time.Minute, func() error { n++; return lost })
	assert.ErrorIs(t, err, lost)
	assert.ErrorIs(t, err, context.Canceled, "see TestDoSaysTheContextEnded")
	assert.Equal(t, 1, n)

	n = 0
	assert.Same(t, lost, Do(context.Background(), -1, func() error { n++; return lost }), "a negative wait: once")
	assert.Equal(t, 1, n)

	// The first waits, at once then 50, 100, 200 and 400ms, come to
	// 750ms; the next, 800ms, would end past a wait of 1s.
	n = 0
	assert.Same(t, lost, Do(context.Background(), time.Second, func() error { n++; return lost }), "past the wait")
	assert.Equal(t, 6, n)
}

// A statement the server rolled back in a conflict with another session
// (a serialization failure under repeatable read or serializable, a
// deadlock) took no effect, and runs again, through Do, Unrun and an
// Outage's: the error was returned, and a mark written after a delivery
// was reported as not recorded. The database was not away.
func TestConflictIsTriedAgain(t *testing.T) {
	for _, code := range []string{"40001", "40P01"} {
		conflict := &pgconn.PgError{Code: code}
		o := &Outage{Wait: time.Minute}
		for name, try := range map[string]func(context.Context, func() error) error{
			"Do":           func(ctx context.Context, fn func() error) error { return Do(ctx, time.Minute, fn) },
			"Unrun":        func(ctx context.Context, fn func() error) error { return Unrun(ctx, time.Minute, fn) },
			"Outage.Do":    o.Do,
			"Outage.Unrun": o.Unrun,
		} {
			n := 0
			err := try(context.Background(), func() error {
				if n++; n < 3 {
					return fmt.Errorf("mark: %w", conflict)
				}
				return nil
			})
			assert.NoError(t, err, "%s, %s", name, code)
			assert.Equal(t, 3, n, "%s, %s", name, code)
			assert.Zero(t, o.away.Load(), "%s, %s: the server answered", name, code)

			n = 0
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err = try(ctx, func() error { n++; return conflict })
			assert.Equal(t, 1, n)
			conflictEnded(t, err, conflict, context.Canceled, name+", "+code+", ended before a wait")

			// Ended during a try, after one tried again.
			n = 0
			ctx, cancel = context.WithCancel(context.Background())
			err = try(ctx, func() error {
				if n++; n == 2 {
					cancel()
				}
				return conflict
			})
			assert.Equal(t, 2, n)
			conflictEnded(t, err, conflict, context.Canceled, name+", "+code+", ended during a try")

			// Ended during the wait between tries (the second: the
			// first is none).
			n = 0
			err = try(endsWhenWaitedOn(), func() error { n++; return conflict })
			assert.Equal(t, 2, n)
			conflictEnded(t, err, conflict, context.Canceled, name+", "+code+", ended during a wait")

			// A try cut short by ctx's end, after a conflict.
			n = 0
			ctx, cancel = context.WithCancel(context.Background())
			err = try(ctx, func() error {
				if n++; n == 1 {
					return conflict
				}
				cancel()
				return fmt.Errorf("acquire: %w", ctx.Err())
			})
			assert.Equal(t, 2, n)
			conflictEnded(t, err, conflict, context.Canceled, name+", "+code+", a try cut short")
		}
	}
}

// A ctx that ends while a conflict's statement is tried again ends the
// tries; the error carries both, and says the tries stopped for ctx's
// end: the conflict was returned alone, and a caller could not tell its
// own deadline or cancellation from a conflict that outlasted the wait.
// The database was not away: ConnectionLost does not hold.
func TestConflictSaysTheContextEnded(t *testing.T) {
	conflict := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second)) // ended
	defer cancel()
	for name, try := range map[string]func(context.Context, time.Duration, func() error) error{"Do": Do, "Unrun": Unrun} {
		err := try(ctx, time.Minute, func() error { return fmt.Errorf("mark: %w", conflict) })
		conflictEnded(t, err, conflict, context.DeadlineExceeded, name)
	}

	// A conflict after the connection was lost: the last try reached
	// the server, so the conflict is what the error carries.
	lost := &pgconn.PgError{Code: "57P01"}
	n := 0
	cctx, ccancel := context.WithCancel(context.Background())
	err := Do(cctx, time.Minute, func() error {
		if n++; n == 1 {
			return lost
		}
		ccancel()
		return conflict
	})
	conflictEnded(t, err, conflict, context.Canceled, "lost, then a conflict")
}

// endsWhenWaitedOn returns a context that is canceled once something
// waits for its end (calls Done): the wait between tries, and no try,
// sees it end, whatever the timing.
func endsWhenWaitedOn() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	return waitedOn{ctx, cancel}
}

type waitedOn struct {
	context.Context
	cancel context.CancelFunc
}

func (c waitedOn) Done() <-chan struct{} {
	c.cancel()
	return c.Context.Done()
}

// conflictEnded asserts that err, the error of a statement whose conflict
// (see Conflict) was tried again until ctx ended with ctxErr, carries both
// and says the tries stopped.
func conflictEnded(t *testing.T, err error, conflict *pgconn.PgError, ctxErr error, msg string) {
	t.Helper()
	assert.ErrorIs(t, err, conflict, msg)
	assert.ErrorIs(t, err, ctxErr, msg)
	assert.True(t, Conflict(err), msg)
	assert.True(t, NotRun(err), msg)
	assert.False(t, ConnectionLost(err), "%s: the database was not away", msg)
	if err != nil {
		assert.Contains(t, err.Error(), conflict.Error(), msg)
		assert.Contains(t, err.Error(), "tries stopped because the context ended", msg)
		assert.Contains(t, err.Error(), ctxErr.Error(), msg)
	}
}

// A ctx that ends while the statement is tried again ends the tries; the
// error says so, beside the connection's last error: it was returned
// alone, and a caller could not tell its deadline from the database's
// failure (errors.Is(err, context.DeadlineExceeded) was false).
func TestDoSaysTheContextEnded(t *testing.T) {
	lost := &pgconn.PgError{Code: "57P01"}
	for _, tt := range []struct {
		name string
		try  func(context.Context, time.Duration, func() error) error
	}{{"Do", Do}, {"Unrun", Unrun}} {
		t.Run(tt.name, func(t *testing.T) {
			// Ended before a wait between tries.
			dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second)) // ended
			defer dcancel()
			n := 0
			err := tt.try(dctx, time.Minute, func() error { n++; return lost })
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, lost)
			assert.True(t, ConnectionLost(err), "the database was away, as a waiter reports")
			assert.Equal(t, 1, n)

			n = 0
			cctx, ccancel := context.WithCancel(context.Background())
			err = tt.try(cctx, time.Minute, func() error {
				if n++; n == 2 {
					ccancel() // ended during a try
				}
				return lost
			})
			assert.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, lost)
			assert.Equal(t, 2, n)

			// Ended during the wait between tries (the second: the
			// first is none).
			n = 0
			err = tt.try(endsWhenWaitedOn(), time.Minute, func() error { n++; return lost })
			assert.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, lost)
			assert.True(t, ConnectionLost(err))
			assert.Equal(t, 2, n)

			// A try cut short by ctx's end: the database was away for the
			// one before, which the error says.
			n = 0
			cctx, ccancel = context.WithCancel(context.Background())
			err = tt.try(cctx, time.Minute, func() error {
				if n++; n == 1 {
					return lost
				}
				ccancel()
				return fmt.Errorf("acquire: %w", cctx.Err())
			})
			assert.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, lost)
			assert.True(t, ConnectionLost(err))
			assert.Equal(t, 2, n)

			// An error that is ctx's already, the database never away, is
			// returned as it is.
			n = 0
			err = tt.try(dctx, time.Minute, func() error { n++; return dctx.Err() })
			assert.Equal(t, context.DeadlineExceeded, err)
			assert.False(t, ConnectionLost(err))
			other := errors.New("syntax error")
			assert.False(t, ConnectionLost(tt.try(dctx, time.Minute, func() error { return other })))

			// Past the wait, ctx still on: the connection's error alone.
			assert.Same(t, lost, tt.try(context.Background(), -1, func() error { return lost }))
		})
	}
}

// An Outage bounds the statements made one after another through one
// outage in all, not each: dispatch's reads and Enqueue's transactions
// each waited their full ReconnectWait, so a worker reading job after job
// through a long outage took that wait many times over. A try that
// reaches the server starts the next outage's budget afresh.
func TestOutageBoundsTheCallsOfOneOutageInAll(t *testing.T) {
	lost := &pgconn.PgError{Code: "57P01"}
	o := &Outage{Wait: 100 * time.Millisecond}
	n := 0
	failing := func() error { n++; return lost }
	assert.Same(t, lost, o.Do(context.Background(), failing))
	assert.Greater(t, n, 1, "the first call of an outage is tried again")

	time.Sleep(o.Wait) // the outage has now lasted its Wait
	for _, call := range []func(context.Context, func() error) error{o.Do, o.Unrun} {
		n = 0
		assert.Same(t, lost, call(context.Background(), failing))
		assert.Equal(t, 1, n, "a call past the outage's Wait is tried once")
	}

	n = 0
	assert.NoError(t, o.Do(context.Background(), func() error { n++; return nil }))
	n = 0
	assert.Same(t, lost, o.Do(context.Background(), failing))
	assert.Greater(t, n, 1, "a try that reached the server ended the outage")

	// An answer from the server (not a lost connection) ends it too.
	time.Sleep(o.Wait)
	other := errors.New("syntax error")
	assert.Same(t, other, o.Do(context.Background(), func() error { return other }))
	n = 0
	assert.Same(t, lost, o.Do(context.Background(), failing))
	assert.Greater(t, n, 1, "an answer ended the outage")
}

// ReadOnlyError says what was refused, what to do, and the server's
// error, and matches both: broadcast/pgstore and dispatch give it so.
func TestReadOnlyError(t *testing.T) {
	readOnly := errors.New("pgstore: server is read-only")
	pgErr := &pgconn.PgError{Severity: "ERROR", Code: "25006", Message: "cannot execute INSERT in a read-only transaction"}
	err := ReadOnlyError(readOnly, fmt.Errorf("insert: %w", pgErr))
	assert.EqualError(t, err, "pgstore: server is read-only (point the connection string at the primary, "+
		"or add target_session_attrs=read-write to it, listing every server's host (its connections then go to "+
		"whichever is the primary)): insert: ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)")
	assert.ErrorIs(t, err, readOnly)
	assert.ErrorIs(t, err, pgErr)
	assert.True(t, ReadOnly(err))
}

// A retry inside another's function (a Store's read inside a queue's
// transaction, each through Do) whose tries ctx's end stopped says so
// once: the outer one, whose earlier try had lost its connection, said
// it again around the inner one's error ("… (tries stopped because the
// context ended: … (tries stopped because the context ended: context
// canceled))"). The error still matches ctx's error and the lost
// connection, of the inner retry's own ctx and the outer's too when they
// differ.
func TestNestedRetrySaysTheTriesStoppedOnce(t *testing.T) {
	lost := &pgconn.PgError{Code: "57P01"}
	for name, try := range map[string]func(context.Context, time.Duration, func() error) error{"Do": Do, "Unrun": Unrun} {
		// One ctx, which ends during the inner retry's try.
		n := 0
		ctx, cancel := context.WithCancel(context.Background())
		err := try(ctx, time.Minute, func() error {
			if n++; n == 1 {
				return lost
			}
			return fmt.Errorf("read: %w", try(ctx, time.Minute, func() error { cancel(); return lost }))
		})
		cancel()
		assert.Equal(t, 2, n, name)
		nestedEnded(t, err, lost, name+", one ctx", context.Canceled)

		// The inner retry's ctx, the outer's with a deadline of its own,
		// ended first; the outer's ends during its next try.
		n = 0
		ctx, cancel = context.WithCancel(context.Background())
		inner, icancel := context.WithDeadline(ctx, time.Now().Add(-time.Second)) // ended
		err = try(ctx, time.Minute, func() error {
			if n++; n == 2 {
				cancel()
			}
			return fmt.Errorf("read: %w", try(inner, time.Minute, func() error { return lost }))
		})
		icancel()
		assert.Equal(t, 2, n, name)
		nestedEnded(t, err, lost, name+", an inner ctx", context.DeadlineExceeded, context.Canceled)
	}
}

// nestedEnded asserts that err, of a retry around another, both stopped
// by ctx's end (ctxErrs), matches lost and ctxErrs, and says once that
// the tries stopped.
func nestedEnded(t *testing.T, err, lost error, msg string, ctxErrs ...error) {
	t.Helper()
	assert.ErrorIs(t, err, lost, msg)
	for _, c := range ctxErrs {
		assert.ErrorIs(t, err, c, msg)
	}
	assert.True(t, ConnectionLost(err), msg)
	if assert.Error(t, err, msg) {
		assert.Equal(t, 1, strings.Count(err.Error(), "tries stopped"), "%s: %v", msg, err)
	}
}

// nestedAfter runs try with a function whose first try fails with
// earlier and whose second fails with what a retry inside it returns,
// whose function ends ctx and fails with last; it returns the number of
// the outer function's tries and try's error.
func nestedAfter(try func(context.Context, time.Duration, func() error) error, earlier, last error) (int, error) {
	n := 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := try(ctx, time.Minute, func() error {
		if n++; n == 1 {
			return fmt.Errorf("lock: %w", earlier)
		}
		return fmt.Errorf("read: %w", try(ctx, time.Minute, func() error { cancel(); return last }))
	})
	return n, err
}

// The outer retry's own earlier error (a conflict, a lost connection of
// its own) stays in what it returns when a retry inside it says the tries
// stopped: that error was returned as it was, and errors.Is and errors.As
// no longer found the outer retry's conflict. The tries are still said to
// have stopped once.
func TestNestedRetryKeepsTheOuterError(t *testing.T) {
	conflict := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	outerLost := &pgconn.PgError{Code: "57P02", Message: "terminating connection because of crash of another server process"}
	lost := &pgconn.PgError{Code: "57P01"}
	for name, try := range map[string]func(context.Context, time.Duration, func() error) error{"Do": Do, "Unrun": Unrun} {
		for _, earlier := range []*pgconn.PgError{conflict, outerLost} {
			msg := name + ", " + earlier.Code
			n, err := nestedAfter(try, earlier, lost)
			assert.Equal(t, 2, n, msg)
			nestedEnded(t, err, lost, msg, context.Canceled)
			assert.ErrorIs(t, err, earlier, msg)
			if pgErr, ok := errors.AsType[*pgconn.PgError](err); assert.True(t, ok, msg) {
				assert.Same(t, lost, pgErr, "%s: errors.As finds the last try's error first", msg)
			}
			if err != nil {
				assert.Contains(t, err.Error(), earlier.Error(), msg)
			}
			assert.False(t, Conflict(err), "%s: the last try's error was a lost connection", msg)
		}
	}
}

// The judges of an error (Conflict, ReadOnly, NotRun, ConnectionLost)
// judge the last try of a retry whose function's error was that of a
// retry inside it that ctx's end stopped, not the outer retry's earlier
// try joined to it: errors.As found the earlier try's *pgconn.PgError
// when the last try's error held none (a connection lost mid-answer), so
// Conflict and NotRun said a statement that may have run had been rolled
// back, and ReadOnly that the server was read-only.
func TestNestedRetryJudgesTheLastTry(t *testing.T) {
	conflict := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	readOnly := &pgconn.PgError{Code: "25006", Message: "cannot execute UPDATE in a read-only transaction"}
	for name, try := range map[string]func(context.Context, time.Duration, func() error) error{"Do": Do, "Unrun": Unrun} {
		for _, earlier := range []*pgconn.PgError{conflict, readOnly} {
			msg := name + ", " + earlier.Code
			n, err := nestedAfter(try, earlier, io.ErrUnexpectedEOF)
			assert.Equal(t, 2, n, msg)
			assert.ErrorIs(t, err, earlier, msg)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF, msg)
			assert.True(t, ConnectionLost(err), msg)
			assert.False(t, Conflict(err), "%s: the last try's connection was lost, not in a conflict", msg)
			assert.False(t, ReadOnly(err), "%s: the last try did not reach a read-only server", msg)
			assert.False(t, NotRun(err), "%s: the last try may have run", msg)
		}
	}
}
