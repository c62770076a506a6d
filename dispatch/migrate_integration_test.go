//go:build integration

package dispatch_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
