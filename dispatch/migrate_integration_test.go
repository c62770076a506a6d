//go:build integration

package dispatch_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

// Replicas starting at once on a new database each run Migrate: every one
// succeeds, and the tables are created once (River's own migrator takes
// no lock: each would create the tables, and all but one fail). Migrate
// again does nothing.
func TestConcurrentMigrateSucceedsEverywhere(t *testing.T) {
	ctx := waitCtx(t)
	dsn := emptySchema(t)
	const replicas = 4
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			pool, err := pgxpool.New(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer pool.Close()
			errs[i] = dispatch.Migrate(ctx, pool)
		})
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "replica %d", i)
	}

	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	defer pool.Close()
	require.NoError(t, dispatch.Migrate(ctx, pool), "again: nothing to do")
	var versions, distinct int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*), count(DISTINCT version) FROM river_migration").Scan(&versions, &distinct))
	assert.Equal(t, distinct, versions, "each migration recorded once")
}

// An instance whose River needs a migration the database lacks (an upgrade
// of this module run without dispatch.Migrate: the README's upgrade said
// pgstore.Migrate) does not start: River would start, and its statements
// fail later or act on a schema it does not know. Migrate, then Start
// works.
func TestStartRefusesRiverTablesNotMigrated(t *testing.T) {
	ctx := waitCtx(t)
	dsn := emptySchema(t)
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	require.NoError(t, pgstore.Migrate(ctx, pool))
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	require.NoError(t, err)
	all := m.AllVersions()
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: all[len(all)-2].Version})
	require.NoError(t, err)

	in := newInstance(t, dsn, []broadcast.Channel{broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, nil
	})}, broadcast.Options{}, dispatch.Config{Workers: 1})
	err = in.d.Start(ctx)
	require.ErrorIs(t, err, dispatch.ErrNotMigrated)
	assert.Contains(t, err.Error(), "run dispatch.Migrate")

	require.NoError(t, dispatch.Migrate(ctx, pool))
	in.start(t)
}

// Replicas may run Migrate at every start: on a database already
// migrated it does nothing, and so needs no privilege to create tables;
// nor does Start's check of River's tables. A role that may only use the
// tables (migrated by another) runs both.
func TestMigrateAndStartNeedNoCreatePrivilege(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	admin, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer admin.Close()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	schema := u.Query().Get("search_path")
	role := "app_" + strings.ToLower(rand.Text()[:10])
	for _, sql := range []string{
		"CREATE ROLE " + role + " LOGIN",
		fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s", schema, role),
		fmt.Sprintf("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s", schema, role),
		fmt.Sprintf("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %s TO %s", schema, role),
	} {
		_, err := admin.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), fmt.Sprintf("DROP OWNED BY %s", role))
		_, _ = admin.Exec(context.Background(), "DROP ROLE "+role)
	})
	u.User = url.User(role)
	app, err := pgxpool.New(ctx, u.String())
	require.NoError(t, err)
	require.NoError(t, pgstore.Migrate(ctx, app))
	require.NoError(t, dispatch.Migrate(ctx, app))
	app.Close()

	in := newInstance(t, u.String(), []broadcast.Channel{broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "1"}, nil
	})}, broadcast.Options{}, dispatch.Config{Workers: 1})
	in.start(t)
	id, err := in.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	_, err = in.d.Wait(ctx, id)
	require.NoError(t, err)
}

// A replica whose Migrate waits for another's (replicas starting at once,
// an upgrade's migration that takes a while) waits for it to end, whatever
// lock_timeout or statement_timeout the server, the role or the connection
// string sets: it failed with "canceling statement due to lock timeout".
func TestMigrateWaitsForAnotherPastTheServersTimeouts(t *testing.T) {
	ctx := waitCtx(t)
	dsn := emptySchema(t)
	holder, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer holder.Close()
	tx, err := holder.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(context.Background()) }()
	// Another replica's Migrate holds its lock.
	_, err = tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(0x6f75746167656472))
	require.NoError(t, err)

	u, err := url.Parse(dsn)
	require.NoError(t, err)
	name := "migrate_" + strings.ToLower(rand.Text()[:10])
	q := u.Query()
	q.Set("lock_timeout", "1") // ms: pgx sends it as a run-time parameter
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	pool, err := pgxpool.New(ctx, u.String())
	require.NoError(t, err)
	defer pool.Close()
	done := make(chan error, 1)
	go func() { done <- dispatch.Migrate(ctx, pool) }()

	var result error
	waiting := false
	for !waiting {
		select {
		case result = <-done:
			waiting = true // it did not wait
			done <- result
		default:
			var n int
			require.NoError(t, holder.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = $1`, name).Scan(&n))
			if waiting = n > 0; !waiting {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	require.NoError(t, tx.Rollback(ctx)) // the other Migrate ends
	require.NoError(t, <-done)
	require.NoError(t, dispatch.Migrate(ctx, pool), "again: nothing to do")
}
