//go:build integration

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// A server that runs for months does not keep every update's marks and
// posts: a replica prunes, at start-up and then every hour, what the Store
// recorded more than -keep ago.
func TestReplicaPrunesWhatIsOlderThanKeep(t *testing.T) {
	dep := newDeployment(t)
	a := dep.start(t, "-keep", "0")
	acc := a.post(t, "/v1/updates", update)
	st := a.await(t, acc.Links.Self)
	require.Equal(t, []string{"status-hook:delivered", "subscribers:delivered"}, outcomesOf(st.Channels))

	pool, err := pgxpool.New(context.Background(), dep.dsn)
	require.NoError(t, err)
	defer pool.Close()
	store, err := pgstore.New(context.Background(), pool)
	require.NoError(t, err)
	_, found, err := store.Receipt(context.Background(), acc.ID, "status-hook")
	require.NoError(t, err)
	require.True(t, found, "-keep 0 keeps everything")

	// Everything recorded before it started is older than -keep, which
	// must be longer than an update is retried (retry.max_elapsed).
	conf, err := os.ReadFile(dep.config)
	require.NoError(t, err)
	quick := filepath.Join(t.TempDir(), "quick.yaml")
	require.NoError(t, os.WriteFile(quick, append(conf, "retry:\n  max_elapsed: 1ms\n"...), 0o600))
	dep.start(t, "-config", quick, "-keep", "2ms")
	for deadline := time.Now().Add(time.Minute); found; time.Sleep(20 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the replica never pruned")
		_, found, err = store.Receipt(context.Background(), acc.ID, "status-hook")
		require.NoError(t, err)
	}
	for _, ch := range []string{"status-hook", "subscribers"} {
		_, found, err = store.Receipt(context.Background(), acc.ID, ch)
		require.NoError(t, err)
		assert.False(t, found, "%s's receipt is older than -keep", ch)
		done, _, err := store.Done(context.Background(), acc.ID, ch, "")
		require.NoError(t, err)
		assert.False(t, done, "%s's mark is older than -keep", ch)
	}
	th, err := store.Thread(context.Background(), acc.IncidentID, "status-hook")
	require.NoError(t, err)
	assert.True(t, th.Last.IsZero(), "the incident's thread is older than -keep")
}
