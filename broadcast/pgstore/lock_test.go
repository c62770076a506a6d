//go:build integration

package pgstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// shortWait is how long a Lock that must not be granted is given; the test
// checks that it fails, not how long it took.
const shortWait = 300 * time.Millisecond

func TestLockExcludesOtherHolders(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	unlock, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err)

	wctx, cancel := context.WithTimeout(ctx, shortWait)
	_, err = s.Lock(wctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded, "held by the first caller")

	other, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "email"})
	require.NoError(t, err, "another channel is not locked")
	other()
	other, err = s.Lock(ctx, broadcast.LockKey{UpdateID: "u2", Channel: "x"})
	require.NoError(t, err, "another update is not locked")
	other()

	got := make(chan func())
	go func() {
		u, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
		assert.NoError(t, err)
		got <- u
	}()
	unlock()
	(<-got)()
}

func TestLockOfAnIncidentExcludesItsOtherUpdates(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	unlock, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x", IncidentID: "cdn-42"})
	require.NoError(t, err)

	wctx, cancel := context.WithTimeout(ctx, shortWait)
	_, err = s.Lock(wctx, broadcast.LockKey{UpdateID: "u2", Channel: "x", IncidentID: "cdn-42"})
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded, "another update of the incident, on the same channel")

	for _, other := range []broadcast.LockKey{
		{UpdateID: "u2", Channel: "email", IncidentID: "cdn-42"},
		{UpdateID: "u2", Channel: "x", IncidentID: "db-7"},
		{UpdateID: "u2", Channel: "x"},
	} {
		u, err := s.Lock(ctx, other)
		require.NoError(t, err, "another channel, another incident, or none")
		u()
	}

	got := make(chan func())
	go func() {
		u, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u2", Channel: "x", IncidentID: "cdn-42"})
		assert.NoError(t, err)
		got <- u
	}()
	unlock()
	(<-got)()
}

func TestLockIsReleasedWhenItsHolderDies(t *testing.T) {
	ctx := context.Background()
	// The holder's sessions carry a name of their own: other tests and
	// packages hold advisory locks in the same database at the same time.
	name := "holder_" + strings.ToLower(rand.Text()[:12])
	holder := named(t, name)
	dead, err := holder.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err)
	defer dead() // its connection is gone; this only returns it to the pool

	// A second process on the same database: the pid of the first's session
	// is in pg_locks; terminating it is what a killed process or a lost
	// network amounts to for the server.
	var pid int
	require.NoError(t, holder.Pool().QueryRow(ctx, `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() AND a.application_name = $1`, name).Scan(&pid))
	_, err = holder.Pool().Exec(ctx, "SELECT pg_terminate_backend($1)", pid)
	require.NoError(t, err)

	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	unlock, err := holder.Lock(wctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err, "the dead holder's lock was released")
	unlock()
}

// A lock_timeout or statement_timeout of the server, the role or the
// connection string (common in production) does not end Lock's wait: an
// error there would fail a delivery's attempt instead of letting it wait
// for the attempt under way, within its ctx. Nor does a
// transaction_timeout (PostgreSQL 17 on), which ended the waiting session.
func TestLockWaitsPastTheServersTimeouts(t *testing.T) {
	ctx := context.Background()
	dsn := newSchema(t)
	holder := migratedOn(t, dsn)
	unlock, err := holder.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
	require.NoError(t, err)
	defer unlock()
	settings := []string{"lock_timeout=1ms", "statement_timeout=100ms"}
	var version int
	require.NoError(t, holder.Pool().QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version))
	if version >= 170000 { // older servers refuse the setting
		settings = append(settings, "transaction_timeout=100ms")
	}
	for _, setting := range settings {
		s, err := pgstore.Open(ctx, dsn+"&"+setting)
		require.NoError(t, err)
		wctx, cancel := context.WithTimeout(ctx, shortWait)
		_, err = s.Lock(wctx, broadcast.LockKey{UpdateID: "u1", Channel: "x"})
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded, "with %s, only ctx ends the wait", setting)
		require.NoError(t, s.Close())
	}
}

// A Correct's attempt holds the lock of the post it edits, which a Retract
// deleting that post takes: the Retract, on another instance, waits for
// the correction's edit of the post. (Before, the two locks did not
// exclude each other: the Retract deleted the post under the edit, and the
// correction was posted anew after the retraction.) A Retract of another
// update whose post it is (an in-place correction shares its original's)
// waits too.
func TestLockOfACorrectionExcludesARetractOfItsPost(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	held, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1-fix-2", Channel: "x", IncidentID: "cdn-42", Post: "p1"})
	require.NoError(t, err)
	unlock := sync.OnceFunc(held)
	t.Cleanup(unlock) // before the pool's Close, which waits for it

	for _, retracted := range []string{"u1", "u1-fix"} {
		wctx, cancel := context.WithTimeout(ctx, shortWait)
		retract, err := s.Lock(wctx, broadcast.LockKey{UpdateID: retracted, Channel: "x", Post: "p1"})
		cancel()
		if err == nil {
			retract() // or the pool's Close at cleanup waits for it
		}
		require.ErrorIs(t, err, context.DeadlineExceeded, "a Retract of %s, whose post is p1", retracted)
	}

	other, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "email", Post: "p1"})
	require.NoError(t, err, "another channel is not locked")
	other()

	got := make(chan func())
	go func() {
		u, err := s.Lock(ctx, broadcast.LockKey{UpdateID: "u1", Channel: "x", Post: "p1"})
		assert.NoError(t, err)
		got <- u
	}()
	unlock()
	(<-got)()
}

// Under repeatable read or serializable (default_transaction_isolation
// set for the server, the role or the connection string), the
// transaction that holds a Lock keeps the snapshot it took before it
// waited for the lock. A holder's reads must not see through it: a
// waiter granted the lock reads the mark and receipt the instance that
// held it before wrote, and so does a holder, of what another instance
// wrote while it held the lock. The Store's reads run on the pool's other
// connections, each statement with a snapshot of its own.
func TestLockHolderReadsWhatOthersWrote(t *testing.T) {
	for _, iso := range []string{"repeatable read", "serializable"} {
		t.Run(iso, func(t *testing.T) {
			ctx := context.Background()
			u, err := url.Parse(newSchema(t))
			require.NoError(t, err)
			// pgx reads a "+" in the query as itself, not a space.
			u.RawQuery += "&default_transaction_isolation=" + url.PathEscape(iso)
			b := migratedOn(t, u.String())
			name := "waiter-" + strings.ToLower(rand.Text()[:12]) // a's sessions, among other tests'
			u.RawQuery += "&application_name=" + name
			a := migratedOn(t, u.String())
			key := broadcast.LockKey{UpdateID: "u1", Channel: "x", IncidentID: "cdn-42"}

			unlockB, err := b.Lock(ctx, key)
			require.NoError(t, err)
			granted := make(chan func(), 1)
			go func() {
				unlock, err := a.Lock(ctx, key)
				assert.NoError(t, err)
				granted <- unlock
			}()
			// a's transaction has taken its snapshot and waits for the lock.
			require.Eventually(t, func() bool {
				var waiting bool
				err := b.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l
					JOIN pg_stat_activity a ON a.pid = l.pid
					WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = $1)`, name).Scan(&waiting)
				return err == nil && waiting
			}, 10*time.Second, 10*time.Millisecond, "a waits for b's lock")
			require.NoError(t, b.Mark(ctx, "u1", "x", "", nil))
			require.NoError(t, b.SaveReceipt(ctx, "cdn-42", "u1", broadcast.Receipt{Channel: "x", ID: "post-1"}))
			unlockB()

			unlockA := <-granted
			require.NotNil(t, unlockA)
			defer unlockA()
			done, _, err := a.Done(ctx, "u1", "x", "")
			require.NoError(t, err)
			assert.True(t, done, "the holder reads the mark the lock's previous holder wrote")
			th, err := a.Thread(ctx, "cdn-42", "x")
			require.NoError(t, err)
			assert.Equal(t, "post-1", th.Last.ID, "the holder reads the receipt the lock's previous holder saved")

			// Written by another instance while a holds the lock.
			require.NoError(t, b.Mark(ctx, "u1", "x", "hook", errors.New("HTTP 410")))
			done, failure, err := a.Done(ctx, "u1", "x", "hook")
			require.NoError(t, err)
			assert.True(t, done)
			assert.Equal(t, "HTTP 410", failure)
		})
	}
}
