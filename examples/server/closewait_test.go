package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/config"
)

// A second signal stops the server at once also while it closes after
// the shutdown: a Send still under way (a job that outlived the stop of
// the workers, its channel ignoring its ctx) holds the Broadcaster's
// Close, which waits for it. The server waited there for good, deaf to
// the second signal, which the documentation says stops it at once.
func TestSecondSignalStopsAtOnceWhileClosing(t *testing.T) {
	sending, release := make(chan struct{}), make(chan struct{})
	stuck := broadcast.ChannelFunc("stuck", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		close(sending)
		<-release // ignores its ctx
		return broadcast.Receipt{}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{stuck}, broadcast.Options{})
	require.NoError(t, err)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		b.Send(context.Background(), broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating})
	}()
	defer func() { close(release); <-sent }()
	<-sending

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ta := newTestAPI()
	closing := make(chan struct{})
	s := &server{log: log, api: ta.api, ln: ln, http: newHTTPServer(ta.h, log), grace: time.Second,
		b: &config.Broadcaster{Broadcaster: b}, stopPrune: func() { close(closing) }} // the first step of close
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, abort) }()
	cancel()
	<-closing
	close(abort)
	select {
	case err := <-done:
		require.ErrorIs(t, err, errAbandoned)
	case <-time.After(time.Minute):
		t.Fatal("a second signal did not stop the server while it closed")
	}
}
