//go:build integration

package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A database whose River tables lack a migration this River needs (an
// upgrade of outagecast whose River brings one, the new binary started
// without -migrate), or are missing, is refused at start, naming
// -migrate, as one without the Store's tables is.
func TestRiverNotMigrated(t *testing.T) {
	for _, target := range []int{0, 7} {
		dsn := newSchema(t)
		pool, err := pgxpool.New(context.Background(), dsn)
		require.NoError(t, err)
		require.NoError(t, pgstore.Migrate(context.Background(), pool))
		if target > 0 {
			m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
			require.NoError(t, err)
			_, err = m.Migrate(context.Background(), rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: target})
			require.NoError(t, err)
		}
		pool.Close()
		vars := map[string]string{dsnEnv: dsn, tokensEnv: newToken}
		env, _, errs := testEnv(vars)
		ctx, cancel := context.WithTimeout(t.Context(), 20e9)
		assert.Equal(t, 1, run(ctx, []string{"-listen", "127.0.0.1:0", "-drain-delay", "0"}, env), "River at %d", target)
		cancel()
		assert.Contains(t, errs.String(), "run the server once with -migrate", "River at %d", target)
		t.Log(errs.String())
	}
}
