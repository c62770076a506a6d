//go:build integration

package pgstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/broadcast/storetest"
)

// dsnEnv names the variable scripts/postgres.sh sets.
const dsnEnv = "OUTAGECAST_POSTGRES_DSN"

// baseDSN is the test server's connection string; without it the test
// fails: CI starts the server, and a missing one is a failure, not a skip.
func baseDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		t.Fatalf("%s is not set: start the test server with eval \"$(scripts/postgres.sh start)\"", dsnEnv)
	}
	return dsn
}

// schemaDSN creates the schema name (if need be) and returns a connection
// string whose search_path is that schema, so each test has tables of its
// own. The schema is dropped at cleanup.
func schemaDSN(t testing.TB, name string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, baseDSN(t))
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.Exec(ctx, fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %q", name))
	require.NoError(t, err)
	t.Cleanup(func() {
		admin, err := pgxpool.New(ctx, baseDSN(t))
		require.NoError(t, err)
		defer admin.Close()
		_, err = admin.Exec(ctx, fmt.Sprintf("DROP SCHEMA IF EXISTS %q CASCADE", name))
		assert.NoError(t, err)
	})
	u, err := url.Parse(baseDSN(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// newSchema is schemaDSN for a new, random schema.
func newSchema(t testing.TB) string {
	t.Helper()
	return schemaDSN(t, "t_"+strings.ToLower(rand.Text()[:12]))
}

// connect opens a pool on dsn, closed at cleanup.
func connect(t testing.TB, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// migrated returns a Store on a new, migrated schema.
func migrated(t testing.TB) *pgstore.Store {
	t.Helper()
	return migratedOn(t, newSchema(t))
}

// named returns a Store on a new, migrated schema whose sessions carry the
// application name name, so that a test can find them in pg_stat_activity
// among those of tests running at the same time.
func named(t testing.TB, name string) *pgstore.Store {
	t.Helper()
	u, err := url.Parse(newSchema(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return migratedOn(t, u.String())
}

func migratedOn(t testing.TB, dsn string) *pgstore.Store {
	t.Helper()
	pool := connect(t, dsn)
	require.NoError(t, pgstore.Migrate(context.Background(), pool))
	s, err := pgstore.New(context.Background(), pool)
	require.NoError(t, err)
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) broadcast.Store { return migrated(t) })
}

func TestPruneConformance(t *testing.T) {
	storetest.RunPrune(t, func(t *testing.T) (broadcast.Store, storetest.Pruner) {
		s := migrated(t)
		return s, s.Prune
	})
}

func TestDurable(t *testing.T) {
	storetest.RunDurable(t, func(t *testing.T, path string) (broadcast.Store, func() error) {
		s := openAt(t, path)
		return s, s.Close
	})
}

func TestPruneDurable(t *testing.T) {
	storetest.RunPruneDurable(t, func(t *testing.T, path string) (broadcast.Store, storetest.Pruner, func() error) {
		s := openAt(t, path)
		return s, s.Prune, s.Close
	})
}

// openAt opens a Store on the migrated schema of path: the same path
// reopens the same schema.
func openAt(t *testing.T, path string) *pgstore.Store {
	t.Helper()
	sum := sha256.Sum256([]byte(path))
	dsn := schemaDSN(t, "d_"+hex.EncodeToString(sum[:8]))
	pool := connect(t, dsn)
	require.NoError(t, pgstore.Migrate(context.Background(), pool))
	pool.Close()
	s, err := pgstore.Open(context.Background(), dsn)
	require.NoError(t, err)
	return s
}

func TestSchemaVersionIsChecked(t *testing.T) {
	ctx := context.Background()
	pool := connect(t, newSchema(t))

	_, err := pgstore.New(ctx, pool)
	require.ErrorIs(t, err, pgstore.ErrNotMigrated)
	assert.EqualError(t, err, "pgstore: database schema not migrated: version 0, this package needs 5: run pgstore.Migrate")

	require.NoError(t, pgstore.Migrate(ctx, pool))
	require.NoError(t, pgstore.Migrate(ctx, pool), "migrating again does nothing")
	_, err = pgstore.New(ctx, pool)
	require.NoError(t, err)

	_, err = pool.Exec(ctx, "INSERT INTO outagecast_migrations (version, name) VALUES (6, '0006_future.sql')")
	require.NoError(t, err)
	_, err = pgstore.New(ctx, pool)
	require.ErrorIs(t, err, pgstore.ErrSchemaNewer)
	assert.Contains(t, err.Error(), "version 6 (usable from version 6 on), this package knows up to 5",
		"a migration that does not record compatible_from is compatible from its own version on only")
	assert.ErrorIs(t, pgstore.Migrate(ctx, pool), pgstore.ErrSchemaNewer, "never downgrades")
}

func TestConcurrentMigrations(t *testing.T) {
	ctx := context.Background()
	dsn := newSchema(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			pool, err := pgxpool.New(ctx, dsn)
			if !assert.NoError(t, err) {
				return
			}
			defer pool.Close()
			assert.NoError(t, pgstore.Migrate(ctx, pool))
		})
	}
	wg.Wait()
	s, err := pgstore.Open(ctx, dsn)
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestDroppedTablesSayNotMigrated(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	_, err := s.Pool().Exec(ctx, "DROP TABLE outagecast_marks")
	require.NoError(t, err)
	_, _, err = s.Done(ctx, "u1", "x", "")
	assert.ErrorIs(t, err, pgstore.ErrNotMigrated)
}
