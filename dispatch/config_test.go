package dispatch_test

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

// lazyPool is a pool that never connects: New does no I/O.
func lazyPool(t *testing.T, maxConns int) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable")
	require.NoError(t, err)
	cfg.MaxConns = int32(maxConns)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

func TestConfigErrorsNameTheField(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	store := broadcast.NewMemoryStore()
	pool := lazyPool(t, 14)
	tests := []struct {
		name string
		cfg  dispatch.Config
		want string
	}{
		{"no pool", dispatch.Config{Broadcaster: b, Store: store}, "dispatch: Config.Pool: missing"},
		{"no broadcaster", dispatch.Config{Pool: pool, Store: store}, "dispatch: Config.Broadcaster: missing"},
		{"no store", dispatch.Config{Pool: pool, Broadcaster: b}, "dispatch: Config.Store: missing"},
		// A zero Broadcaster has no channels: every job run was taken for
		// one of a channel this instance lacks, snoozed and given up.
		{"broadcaster not made", dispatch.Config{Pool: pool, Broadcaster: &broadcast.Broadcaster{}, Store: store},
			"dispatch: Config.Broadcaster: not made by broadcast.New"},
		// A Store whose constructor failed, its error dropped: Report and
		// Wait panicked on their first read of it.
		{"nil store", dispatch.Config{Pool: pool, Broadcaster: b, Store: (*pgstore.Store)(nil)},
			"dispatch: Config.Store: a nil *pgstore.Store"},
		{"negative workers", dispatch.Config{Pool: pool, Broadcaster: b, Store: store, Workers: -1},
			"dispatch: Config.Workers: negative"},
		{"rescue before timeout", dispatch.Config{Pool: pool, Broadcaster: b, Store: store,
			JobTimeout: time.Minute, RescueAfter: time.Minute},
			"dispatch: Config.RescueAfter: 1m0s must exceed JobTimeout (1m0s), or running jobs are taken for dead ones"},
		{"default rescue before long timeout", dispatch.Config{Pool: pool, Broadcaster: b, Store: store,
			JobTimeout: time.Hour}, "dispatch: Config.RescueAfter: 5m0s must exceed JobTimeout (1h0m0s)"},
		{"pool too small", dispatch.Config{Pool: lazyPool(t, 13), Broadcaster: b, Store: store},
			"dispatch: Config.Pool: 13 connections (pool_max_conns) for 10 workers, need at least 14"},
		// River keeps a job's attempts in a smallint and caps what it
		// stores: more would be given up early, without room for rescues.
		{"too many attempts", dispatch.Config{Pool: pool, Broadcaster: b, Store: store,
			Retry: broadcast.RetryPolicy{MaxAttempts: 40_000}}, "dispatch: Config.Retry.MaxAttempts: 40000, at most 32757"},
		{"too many workers", dispatch.Config{Pool: lazyPool(t, 20_004), Broadcaster: b, Store: store, Workers: 20_000},
			"dispatch: Config.Workers: 20000, at most 10000"},
		{"invalid queue", dispatch.Config{Pool: pool, Broadcaster: b, Store: store, Queue: "ops queue"},
			`dispatch: Config.Queue: "ops queue": `},
		{"fetch poll below cooldown", dispatch.Config{Pool: pool, Broadcaster: b, Store: store,
			FetchCooldown: time.Second, FetchPollInterval: 500 * time.Millisecond},
			"dispatch: Config.FetchPollInterval: 500ms is shorter than FetchCooldown (1s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dispatch.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: store})
	require.NoError(t, err, "defaults")
	require.NotNil(t, d)
	assert.EqualError(t, dispatch.Migrate(context.Background(), nil), "dispatch: Migrate: pool: missing")
	// One connection holds Migrate's lock while the migrator uses another:
	// with a pool of one, it would wait for ever.
	assert.EqualError(t, dispatch.Migrate(context.Background(), lazyPool(t, 1)),
		"dispatch: Migrate: pool: 1 connection (pool_max_conns), need at least 2")
}

func TestInvalidUpdateIsNotQueued(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	d, err := dispatch.New(dispatch.Config{Pool: lazyPool(t, 14), Broadcaster: b, Store: broadcast.NewMemoryStore()})
	require.NoError(t, err)
	// Validation comes first: the pool, which cannot connect, is never used.
	_, err = d.Enqueue(context.Background(), nil, broadcast.Update{Status: broadcast.StatusInvestigating})
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	_, err = d.Correct(context.Background(), nil, "", broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating})
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	err = d.Retract(context.Background(), nil, "")
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, "updateID: missing", "Retract's argument")
	// An ID no update can have is refused before any I/O.
	for _, id := range []string{"", "u\x01", "u\xff", strings.Repeat("u", 256)} {
		_, _, err = d.Report(context.Background(), id)
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%q", id)
		assert.ErrorContains(t, err, "updateID: ", "%q", id)
	}
}

// A pool whose connection string holds the rest of a password written
// raw is refused by Migrate and New, as by pgstore, without printing it:
// an "@" in it, unescaped, left its rest in the host (Migrate sent it to
// the DNS, and its error printed it); a raw "&" in a query password left
// its rest as a run-time setting after it (the server's error about the
// setting printed its name), or as the host (asked of the DNS, and
// printed); a space in a password not in quotes, in key=value pairs,
// left its rest as a run-time setting too.
func TestPoolWithARestOfAPasswordIsRefusedUnshown(t *testing.T) {
	for _, tc := range []struct{ dsn, rest, problem string }{
		{"postgres://outagecast:se@cret-tail@127.0.0.1:1/none?sslmode=disable", "cret-tail", "host: holds an @"},
		{"postgres://outagecast@127.0.0.1:1/none?sslmode=disable&password=se&cret=tail", "cret", "password: "},
		{"postgres://outagecast@127.0.0.1:1/none?sslmode=disable&password=se&host=cret-tail", "cret", "password: "},
		{"host=127.0.0.1 port=1 user=outagecast password=se cret=tail", "cret", "password: "},
	} {
		cfg, err := pgxpool.ParseConfig(tc.dsn)
		require.NoError(t, err)
		cfg.MaxConns = 14
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		require.NoError(t, err)
		t.Cleanup(pool.Close)

		err = dispatch.Migrate(context.Background(), pool)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), tc.rest)
		assert.ErrorContains(t, err, "dispatch: Migrate: pool: "+tc.problem)

		b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
			func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
			broadcast.Options{})
		require.NoError(t, err)
		_, err = dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore()})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), tc.rest)
		assert.ErrorContains(t, err, "dispatch: Config.Pool: "+tc.problem)
	}
}

// A RescueAfter within JobTimeout plus ReconnectWait is accepted (the
// package docs advise against it, they do not forbid it), but Logger
// warns, naming the field and the least value advised: a run recording
// its delivery through a database outage could be taken for dead and run
// again beside it, with no sign of why. The defaults draw no warning.
func TestRescueAfterWithinJobTimeoutAndReconnectWaitWarns(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		cfg  dispatch.Config
		want string
	}{
		{"defaults", dispatch.Config{}, ""},
		{"default rescue after a longer job timeout", dispatch.Config{JobTimeout: 4 * time.Minute}, "minimum=6m0s"},
		{"short", dispatch.Config{JobTimeout: time.Second, RescueAfter: 2 * time.Second, ReconnectWait: time.Minute},
			"minimum=1m1s"},
		{"no reconnect wait", dispatch.Config{JobTimeout: time.Second, RescueAfter: 2 * time.Second, ReconnectWait: -1}, ""},
		// JobTimeout plus ReconnectWait past the largest Duration: before,
		// the sum wrapped round to a negative minimum, and no warning.
		{"sum past the largest duration", dispatch.Config{JobTimeout: math.MaxInt64 - time.Hour, RescueAfter: math.MaxInt64,
			ReconnectWait: 2 * time.Hour}, "minimum=2562047h47m16.854775807s"},
		{"largest durations, no warning due", dispatch.Config{JobTimeout: math.MaxInt64 - 2*time.Hour, RescueAfter: math.MaxInt64,
			ReconnectWait: time.Hour}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			cfg := tt.cfg
			cfg.Pool, cfg.Broadcaster, cfg.Store = lazyPool(t, 14), b, broadcast.NewMemoryStore()
			cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
			_, err := dispatch.New(cfg)
			require.NoError(t, err)
			if tt.want == "" {
				assert.Empty(t, log.String())
				return
			}
			assert.Contains(t, log.String(), "Config.RescueAfter")
			assert.Contains(t, log.String(), tt.want)
		})
	}
}
