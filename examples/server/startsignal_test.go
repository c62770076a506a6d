package main

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A signal while the workers start, whose check of the database tries
// again through an outage for minutes (Config.ReconnectWait), stops the
// server then, as a signal before it serves does: the Start ran on a
// context no signal ended, and the server waited out the outage before it
// heeded the signal (Kubernetes' grace period is 30s).
func TestSignalWhileWorkersStart(t *testing.T) {
	// A database that hangs up on every connection: Start's checks try
	// again. Its first connection is the signal.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			once.Do(cancel)
		}
	}()
	cfg, err := pgxpool.ParseConfig("postgres://outagecast:fake-password@" + ln.Addr().String() + "/outagecast?pool_max_conns=20")
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	defer pool.Close()
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, nil
	})}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	d, err := dispatch.New(dispatch.Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore(), ReconnectWait: time.Hour})
	require.NoError(t, err)

	started := make(chan error, 1)
	go func() { started <- startWorkers(ctx, d, time.Second) }()
	select {
	case err := <-started:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute):
		t.Fatal("the signal did not end the start of the workers")
	}
}
