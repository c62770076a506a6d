//go:build integration

package pgstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A replica whose Migrate waits for another's (replicas starting at once,
// an upgrade's migration that takes a while) waits for it to end, whatever
// lock_timeout the server, the database or the role sets: it failed with
// "canceling statement due to lock timeout".
func TestMigrateWaitsForAnotherPastTheRolesLockTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn := newSchema(t)
	admin := connect(t, dsn)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	schema := u.Query().Get("search_path")
	role := "app_" + strings.ToLower(rand.Text()[:10])
	for _, sql := range []string{
		"CREATE ROLE " + role + " LOGIN",
		fmt.Sprintf("GRANT USAGE, CREATE ON SCHEMA %s TO %s", schema, role),
		"ALTER ROLE " + role + " SET lock_timeout = '1ms'",
	} {
		_, err := admin.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), fmt.Sprintf("DROP OWNED BY %s", role))
		_, _ = admin.Exec(context.Background(), "DROP ROLE "+role)
	})

	// Another replica's Migrate holds its lock.
	tx, err := admin.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(context.Background()) }()
	_, err = tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(0x6f75746167656d31))
	require.NoError(t, err)

	u.User = url.User(role)
	app := connect(t, u.String())
	done := make(chan error, 1)
	go func() { done <- pgstore.Migrate(ctx, app) }()
	for waiting := false; !waiting; {
		select {
		case err := <-done:
			done <- err
			waiting = true // it did not wait
		default:
			var n int
			require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.locktype = 'advisory' AND NOT l.granted AND a.usename = $1`, role).Scan(&n))
			if waiting = n > 0; !waiting {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	require.NoError(t, tx.Rollback(ctx)) // the other Migrate ends
	require.NoError(t, <-done)
	s, err := pgstore.New(ctx, app)
	require.NoError(t, err, "migrated")
	require.NoError(t, s.Mark(ctx, "u", "x", "", nil))
}
