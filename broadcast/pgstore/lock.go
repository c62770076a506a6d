package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/outagecast/outagecast/internal/pgretry"
)

// unlockTimeout bounds the rollback that releases a lock. Past it the
// connection is closed, which releases the lock too.
const unlockTimeout = 10 * time.Second

// Lock waits until this caller is the only one, among every process using
// the database, delivering update updateID to channel, or until ctx ends
// (a lock_timeout or statement_timeout set on the server does not end the
// wait); unlock ends that. It fits broadcast.Options.Lock.
//
// With a ctx from WithIncident, the caller is also the only one delivering
// an update of that incident to channel: an attempt reads the incident's
// thread, posts and saves its receipt before another instance's attempt of
// an update of the same incident reads it, so that an older update is never
// posted after a newer one. Package dispatch runs every job so.
//
// The lock is a transaction-level advisory lock
// (pg_advisory_xact_lock) taken in a transaction that stays open, on a
// connection of the pool kept for it, until unlock. So it is released when
// unlock ends the transaction, and also when its holder dies: at once for
// a process killed, whose system closes the connection; for a machine or a
// network lost, only when PostgreSQL's TCP keepalive finds the connection
// dead, by default after some two hours on Linux, and until then the
// delivery (with WithIncident, the incident's other updates too) on that
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
// Each Lock held keeps a connection of the pool: the Stores on a pool
// (every Store New returned for it) hold at most one fewer at once than
// the pool's MaxConns, and a Lock beyond that waits for a turn; on a pool
// of one connection, Lock fails.
//
// The lock's key is 64 bits of a hash of updateID and channel (of the
// incident and channel); two that share a key (about one in 2^64) only
// wait for each other.
func (s *Store) Lock(ctx context.Context, updateID, channel string) (unlock func(), err error) {
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
	keys := []int64{lockKey(updateID, channel)}
	if incident, _ := ctx.Value(incidentKey{}).(string); incident != "" {
		// Always the incident's first: two holders never wait for each
		// other's second lock.
		keys = []int64{incidentLockKey(incident, channel), keys[0]}
	}
	// A connection the server ended (a restart) fails at once; another
	// is tried (see pgretry.Do). One that breaks while the lock is held
	// releases it.
	err = pgretry.Do(ctx, func() error {
		unlock, err = s.lock(ctx, keys)
		return err
	})
	if err != nil {
		<-s.held
		return nil, fmt.Errorf("pgstore: lock: %w", err)
	}
	release := unlock
	return func() {
		release()
		<-s.held
	}, nil
}

// incidentKey is the context key of WithIncident.
type incidentKey struct{}

// WithIncident returns ctx for a Lock of the delivery of an update of
// incident incidentID (see Lock). An empty incidentID leaves ctx as it is.
func WithIncident(ctx context.Context, incidentID string) context.Context {
	if incidentID == "" {
		return ctx
	}
	return context.WithValue(ctx, incidentKey{}, incidentID)
}

// lock takes the advisory locks keys, in order, in a transaction of its
// own connection.
func (s *Store) lock(ctx context.Context, keys []int64) (unlock func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{BeginQuery: beginLock})
	for _, k := range keys {
		if err == nil {
			_, err = tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", k)
		}
	}
	if err != nil {
		release(conn.Conn(), tx)
		conn.Release()
		return nil, err
	}
	return func() {
		release(conn.Conn(), tx)
		conn.Release()
	}, nil
}

// beginLock begins a lock's transaction. Only ctx bounds the wait for
// the lock: a lock_timeout or statement_timeout of the server, the role or
// the connection string would end it with an error, which fails the
// delivery's attempt instead of letting it wait for the attempt under way.
const beginLock = "BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0"

// release ends tx, which releases its advisory lock; when that fails the
// connection is closed (and the pool discards it), which releases it too.
func release(conn *pgx.Conn, tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	if tx == nil || tx.Rollback(ctx) != nil {
		_ = conn.Close(ctx)
	}
}

// lockKey is the advisory lock key of a delivery.
func lockKey(updateID, channel string) int64 {
	return int64(binary.BigEndian.Uint64(key("lock", updateID, channel)))
}

// incidentLockKey is the advisory lock key of the deliveries of an
// incident's updates to a channel.
func incidentLockKey(incidentID, channel string) int64 {
	return int64(binary.BigEndian.Uint64(key("incident lock", incidentID, channel)))
}
