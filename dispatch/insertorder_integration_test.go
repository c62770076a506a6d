//go:build integration

package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Instances whose channels are listed in other orders (or differ, in a
// rolling deploy) enqueue the same update at once. Each insert waits for
// the other transaction's uncommitted job of the same channel (River's
// unique index): had they inserted the jobs in their own orders, each
// would wait for the other, and PostgreSQL would fail one Enqueue with
// "deadlock detected". A third transaction holding the middle channel's
// job makes both wait there, each with the jobs of its first channel
// inserted, before it ends: the interleaving that deadlocked.
func TestReplicasWithChannelsInOtherOrdersEnqueueTheSameUpdateAtOnce(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	chans := func(names ...string) []broadcast.Channel {
		var cs []broadcast.Channel
		for _, n := range names {
			cs = append(cs, broadcast.ChannelFunc(n, func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				return broadcast.Receipt{}, nil
			}))
		}
		return cs
	}
	holder := newInstance(t, dsn, chans("mastodon"), broadcast.Options{}, dispatch.Config{Workers: 1})
	a := newInstance(t, dsn, chans("email", "mastodon", "x"), broadcast.Options{}, dispatch.Config{Workers: 1})
	b := newInstance(t, dsn, chans("x", "mastodon", "email"), broadcast.Options{}, dispatch.Config{Workers: 1})

	tx, err := holder.pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(context.Background())
	_, err = holder.d.Enqueue(ctx, tx, update(1))
	require.NoError(t, err)

	errs := make(chan error, 2)
	for _, in := range []*instance{a, b} {
		go func() {
			_, err := in.d.Enqueue(ctx, nil, update(1))
			errs <- err
		}()
	}
	// Both wait for a lock (the holder's job, or the other's) before the
	// holder rolls back.
	require.Eventually(t, func() bool {
		var waiting int
		err := holder.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%river_job%'`).Scan(&waiting)
		return err == nil && waiting == 2
	}, time.Minute, 10*time.Millisecond)
	require.NoError(t, tx.Rollback(ctx))

	for range 2 {
		assert.NoError(t, <-errs)
	}
	var jobs int
	require.NoError(t, a.pool.QueryRow(ctx, "SELECT count(*) FROM river_job").Scan(&jobs))
	assert.Equal(t, 3, jobs, "one job per channel")
}
