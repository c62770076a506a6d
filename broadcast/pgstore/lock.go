package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/pgretry"
)

// unlockTimeout bounds the rollback that releases a lock. Past it the
// connection is closed, which releases the lock too.
const unlockTimeout = 10 * time.Second

// Lock waits until this caller is the only one, among every process using
// the database, delivering update key.UpdateID to key.Channel, or until
// ctx ends (a lock_timeout, statement_timeout or transaction_timeout set
// on the server does not end the wait, nor does a transaction_timeout
// end the lock held); unlock ends that, once however often it is called.
// It fits broadcast.Options.Lock.
//
// With key.IncidentID set (the Broadcaster sets it for the attempts that
// post, see broadcast.LockKey), the caller is also the only one delivering
// an update of that incident to the channel: an attempt reads the
// incident's thread, posts and saves its receipt before another instance's
// attempt of an update of the same incident reads it, so that an older
// update is never posted after a newer one. With key.Post set (the
// attempts of a Correct and of a Retract), it also holds the lock of that
// post on the channel: a Retract waits for a correction's edit of the
// post, and then deletes it.
//
// The lock is a transaction-level advisory lock
// (pg_advisory_xact_lock) taken in a transaction that stays open, on a
// connection of the pool kept for it, until unlock. So it is released when
// unlock ends the transaction, and also when its holder dies: at once for
// a process killed, whose system closes the connection; for a machine or a
// network lost, only when PostgreSQL's TCP keepalive finds the connection
// dead, by default after some two hours on Linux, and until then the
// delivery (with an IncidentID, the incident's other updates too) on that
// channel waits. Set the server's keepalive in the connection string (pgx
// sends unknown keys as run-time parameters), e.g. tcp_keepalives_idle=30,
// tcp_keepalives_interval=10 and tcp_keepalives_count=3 for about a minute;
// behind a pooler, set the pooler's keepalive towards its clients (PgBouncer:
// tcp_keepidle, tcp_keepintvl, tcp_keepcnt). Being a transaction, it also
// works through a pooler in
// transaction mode (PgBouncer pins the server connection for a transaction;
// a session-level lock would not survive that). A server setting
// idle_in_transaction_session_timeout shorter than a delivery ends the
// transaction, and with it the lock, while the delivery runs: keep it
// longer than an attempt holds the lock, which is package dispatch's
// Config.JobTimeout, and for Broadcaster.Send (which takes the lock for
// each attempt, not across its retry waits) its AttemptTimeout. The
// incident's lock is taken first, in the same transaction, on the same
// connection.
//
// A lock whose session ends while it is held (the server restarted or
// failed over, an administrator terminated the session, the connection
// broke) is released on the server: another instance may take it and
// attempt the same delivery while its holder's attempt goes on. With a
// ctx from WithLockLost, Lock says so as soon as its connection tells (at
// once for a session the server ended; for a network lost, once this
// process's TCP keepalive gives up, about 2.5 minutes by Go's defaults,
// which pgx keeps). A post made by both attempts is made twice, with the same
// Message.Key: receivers that deduplicate by it see it once.
//
// A lock is taken only on a server that can write: one a standby, or an
// old primary made read-only after a failover, granted would exclude no
// one on the primary. Its connection is closed and the lock is tried again
// on a new connection, as a write is, for ReconnectWait; then Lock fails
// with ErrReadOnly.
//
// Each Lock held keeps a connection of the pool: the Stores on a pool
// (every Store New returned for it) hold at most one fewer at once than
// the pool's MaxConns, and a Lock beyond that waits for a turn; on a pool
// of one connection, Lock fails.
//
// The lock's key is 64 bits of a hash of updateID and channel (of the
// incident and channel, of the post and channel); two that
// share a key (about one in 2^64) only wait for each other.
func (s *Store) Lock(ctx context.Context, key broadcast.LockKey) (unlock func(), err error) {
	if err := s.made(); err != nil {
		return nil, fmt.Errorf("pgstore: lock: %w", err)
	}
	if ctx == nil {
		return nil, fmt.Errorf("pgstore: lock: %w", errNilContext)
	}
	if cap(s.held) == 0 {
		return nil, errors.New("pgstore: lock: pool: 1 connection (pool_max_conns), need at least 2: " +
			"a Lock keeps one, and its holder's Store calls need another")
	}
	// Every connection held by a Lock, the holders' own calls would wait
	// for one for ever.
	select {
	case s.held <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("pgstore: lock: %w", ctx.Err())
	}
	// Always the incident's first, then the post's: two holders never
	// wait for each other's later lock.
	keys := make([]int64, 0, 3)
	if key.IncidentID != "" {
		keys = append(keys, incidentLockKey(key.IncidentID, key.Channel))
	}
	if key.Post != "" {
		keys = append(keys, postLockKey(key.Post, key.Channel))
	}
	keys = append(keys, lockKey(key.UpdateID, key.Channel))
	// A connection the server ended (a restart), or one to a read-only
	// server (a failover under way), fails at once; another is tried
	// (see ReconnectWait). One that breaks while the lock is held
	// releases it.
	err = s.outage.Do(ctx, func() error {
		unlock, err = s.lock(ctx, keys)
		return err
	})
	if err != nil {
		<-s.held
		return nil, wrap("lock", err)
	}
	// Called again (a deferred unlock after an explicit one), it does
	// nothing, as a context's cancel: a second release would wait for
	// ever, and give back another Lock's turn.
	release := unlock // unlock is the result, assigned by the return
	return sync.OnceFunc(func() {
		release()
		<-s.held
	}), nil
}

// ErrLockLost is wrapped by the error given to the function of
// WithLockLost: a Lock's session ended while it was held, and with it the
// lock, which another instance may have taken since.
var ErrLockLost = errors.New("pgstore: lock lost: its session ended while it was held")

// lostKey is the context key of WithLockLost.
type lostKey struct{}

// WithLockLost returns ctx for a Lock that calls lost, once, with an error
// wrapping ErrLockLost and the driver's, if the lock's session ends while
// it is held (the server restarted or failed over, an administrator
// terminated the session, the connection broke): another instance may
// then take the lock and attempt the same delivery. lost is called on a
// goroutine of its own as soon as the connection tells, or by unlock when
// it cannot end the lock's transaction; never after unlock returned. What
// to do is the caller's choice: cancelling the attempt's context
// (context.WithCancelCause) stops it beside another instance's, but may
// cut it between a post and the post's record, and the next attempt,
// this instance's or another's, then posts again; package dispatch, whose
// queue keeps a job from other instances while it runs, lets the attempt
// finish and reports the loss. A nil lost leaves ctx as it is.
func WithLockLost(ctx context.Context, lost func(error)) context.Context {
	if lost == nil {
		return ctx
	}
	return context.WithValue(ctx, lostKey{}, lost)
}

// lock takes the advisory locks keys, in order, in a transaction of its
// own connection.
func (s *Store) lock(ctx context.Context, keys []int64) (unlock func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{BeginQuery: beginLock})
	for i, k := range keys {
		if err != nil {
			break
		}
		if i > 0 {
			_, err = tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", k)
			continue
		}
		// A standby grants advisory locks, and so does an old primary
		// made read-only after a failover: a lock there excludes no
		// one on the primary. Checked in the first lock's statement,
		// before it waits for the lock; taken, it takes one row.
		var tag pgconn.CommandTag
		tag, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)
			WHERE NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'`, k)
		if err == nil && tag.RowsAffected() == 0 {
			err = pgretry.ErrServerReadOnly
		}
	}
	if err != nil {
		_ = release(conn.Conn(), tx)
		// On a read-only server, closed: the next try connects anew,
		// and may reach the primary.
		pgretry.DropReadOnly(ctx, conn.Conn(), err)
		conn.Release()
		return nil, err
	}
	lost, _ := ctx.Value(lostKey{}).(func(error))
	stop := func() bool { return false }
	if lost != nil {
		stop = watch(conn.Conn().PgConn(), lost)
	}
	return func() {
		reported := stop()
		// A rollback that fails on a connection the watch had not seen
		// end yet (the session ended as the attempt finished): the lock
		// was lost all the same, before unlock.
		if err := release(conn.Conn(), tx); err != nil && lost != nil && !reported {
			lost(fmt.Errorf("%w: %w", ErrLockLost, err))
		}
		conn.Release()
	}, nil
}

// watch reads from the connection of a lock held until stop is called,
// and calls lost if the connection ends first: nothing else uses it
// meanwhile, and a session the server ends sends its error (FATAL,
// SQLSTATE 57P01 for pg_terminate_backend) and closes the connection, which
// the read sees at once; a network lost is seen when this process's TCP
// keepalive gives up on the connection: pgx dials with a zero
// net.Dialer.KeepAlive, so Go's defaults, 15s idle then 9 probes 15s
// apart, about 2.5 minutes (net/dial.go, defaultTCPKeepAlive*). A read stopped by its context leaves the
// connection usable (pgconn's default context watcher sets a deadline, and
// a timed out read does not close it), for unlock's rollback. stop ends
// the read and reports whether lost was called.
func watch(conn *pgconn.PgConn, lost func(error)) (stop func() (reported bool)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool, 1)
	go func() {
		for {
			err := conn.WaitForNotification(ctx)
			switch {
			case ctx.Err() != nil:
				done <- false // unlocked
				return
			case err != nil:
				lost(fmt.Errorf("%w: %w", ErrLockLost, err))
				done <- true
				return
			}
			// A notification (none is listened for): read on.
		}
	}()
	return func() bool {
		cancel()
		return <-done
	}
}

// beginLock begins a lock's transaction. Only ctx bounds the wait for
// the lock: a lock_timeout or statement_timeout of the server, the role or
// the connection string would end it with an error, which fails the
// delivery's attempt instead of letting it wait for the attempt under way.
// A transaction_timeout (PostgreSQL 17 on; the setting is left alone where
// the server has none) would end the session, and with it the wait, or
// the lock while its holder delivers, which another instance could then
// take: set to 0 in the transaction, it stops the timer BEGIN started.
const beginLock = "BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0; " + pgretry.NoTransactionTimeout

// release ends tx, which releases its advisory lock; when that fails the
// connection is closed (and the pool discards it), which releases it too,
// and the rollback's error is returned.
func release(conn *pgx.Conn, tx pgx.Tx) error {
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	err := errors.New("no transaction")
	if tx != nil {
		err = tx.Rollback(ctx)
	}
	if err != nil {
		_ = conn.Close(ctx)
	}
	return err
}

// lockKey is the advisory lock key of a delivery.
func lockKey(updateID, channel string) int64 {
	return int64(binary.BigEndian.Uint64(key("lock", updateID, channel)))
}

// postLockKey is the advisory lock key of the edits and deletions of a
// channel's post.
func postLockKey(post, channel string) int64 {
	return int64(binary.BigEndian.Uint64(key("post lock", post, channel)))
}

// incidentLockKey is the advisory lock key of the deliveries of an
// incident's updates to a channel.
func incidentLockKey(incidentID, channel string) int64 {
	return int64(binary.BigEndian.Uint64(key("incident lock", incidentID, channel)))
}
