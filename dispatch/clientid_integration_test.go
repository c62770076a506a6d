//go:build integration

package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Two instances whose River clients would get the same default ID (one
// host name, started in the same microsecond) share a database: the Stop
// of one leaves alone the job the other is running. Before, both had
// River's default ID, and that Stop made the other's running job
// available again, for a second run beside the first.
func TestStopLeavesAnotherInstancesRunningJobAlone(t *testing.T) {
	ctx := waitCtx(t)
	dsn := newSchema(t)
	admin, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer admin.Close()
	entered, release := make(chan struct{}, 1), make(chan struct{})
	var released bool
	defer func() {
		if !released {
			close(release)
		}
	}()
	blocking := broadcast.ChannelFunc("x", func(ctx context.Context, _ broadcast.Message) (broadcast.Receipt, error) {
		entered <- struct{}{}
		<-release
		return broadcast.Receipt{}, nil
	})
	const base = "outagecast-worker-7f9c_2026_01_02T03_04_05_123456"
	sameBase := func(in *instance) {
		var err error
		in.d, err = dispatch.NewWithClientBase(dispatch.Config{Pool: in.pool, Broadcaster: in.b, Store: in.store,
			Workers: 1, RescueAfter: time.Hour, PollInterval: 50 * time.Millisecond}, base)
		require.NoError(t, err)
	}
	running := newInstance(t, dsn, []broadcast.Channel{blocking}, broadcast.Options{}, dispatch.Config{Workers: 1})
	sameBase(running)
	stopping := newInstance(t, dsn, []broadcast.Channel{newCounting("x")}, broadcast.Options{}, dispatch.Config{Workers: 1})
	sameBase(stopping)
	require.NotEqual(t, dispatch.ClientID(running.d), dispatch.ClientID(stopping.d))

	running.start(t)
	id, err := running.d.Enqueue(ctx, nil, update(1))
	require.NoError(t, err)
	<-entered
	stopping.start(t)
	require.NoError(t, stopping.d.Stop(ctx))

	var state, by string
	var rescues int
	require.NoError(t, admin.QueryRow(ctx, `SELECT state, attempted_by[cardinality(attempted_by)],
		coalesce((metadata->>'river:rescue_count')::int, 0) FROM river_job`).Scan(&state, &by, &rescues))
	assert.Equal(t, "running", state, "the other instance's job is left running")
	assert.Zero(t, rescues)
	assert.Equal(t, dispatch.ClientID(running.d), by)

	released = true
	close(release)
	report, err := running.d.Wait(ctx, id)
	require.NoError(t, err)
	require.Len(t, report.Results, 1)
	assert.NoError(t, report.Results[0].Err)
	assert.False(t, report.Results[0].Skipped)
	select {
	case <-entered:
		t.Fatal("the job ran a second time")
	default:
	}
}
