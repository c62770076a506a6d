package pgstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// Migrate's error when its transaction cannot begin (a server that cannot
// be reached, a ctx done) starts with "pgstore: ", as the package doc
// says every error does, and says what failed: it was pgx's bare
// "failed to connect to …" or "context canceled".
func TestMigrateBeginErrorSaysWhatFailed(t *testing.T) {
	cfg, err := pgstore.ParseConfig("postgres://ada:s3cret-Pa55@127.0.0.1:1/db?sslmode=disable") // nothing listens on port 1
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg) // connects lazily
	require.NoError(t, err)
	defer pool.Close()

	err = pgstore.Migrate(context.Background(), pool)
	require.Error(t, err)
	assert.Regexp(t, "^pgstore: migrate: failed to connect to ", err.Error())
	assert.ErrorAs(t, err, new(*pgconn.ConnectError))
	assert.NotContains(t, err.Error(), "s3cret-Pa55")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = pgstore.Migrate(ctx, pool)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "pgstore: migrate: context canceled")
}
