package dispatch_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// Stop called while Start checks the database, trying again through an
// outage or a failover (for ReconnectWait), ends that Start at once: Start
// fails with ErrStopped, and Stop returns. Before, Stop waited for Start's
// tries to run out, and Start then failed with the database's error.
func TestStopEndsStartsChecks(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	dialed := make(chan struct{}, 1)
	cfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable")
	require.NoError(t, err)
	cfg.MaxConns = 14
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		select {
		case dialed <- struct{}{}:
		default:
		}
		var dialer net.Dialer
		return dialer.DialContext(ctx, network, addr)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	// Long enough that Start is still trying when Stop comes.
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore(),
		ReconnectWait: 20 * time.Second})
	require.NoError(t, err)

	started := make(chan error, 1)
	go func() { started <- d.Start(context.Background()) }()
	<-dialed
	<-dialed // Start is trying again
	require.NoError(t, d.Stop(context.Background()))
	err = <-started
	require.ErrorIs(t, err, dispatch.ErrStopped)
	assert.EqualError(t, err, "dispatch: start: dispatch: stopped before the workers started")
}
