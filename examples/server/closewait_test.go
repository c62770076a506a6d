package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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

// closeFails is a channel whose Close fails, quoting a secret from the
// environment, as a connection's may.
type closeFails struct{ broadcast.Channel }

func (closeFails) Close() error { return errors.New("quit: connection reset; password s3cret-pw-42") }

// A channel that does not close cleanly at shutdown is logged, its secret
// hidden, and fails the exit status, as every other failure of the
// shutdown does: its error was dropped, and the server exited 0.
func TestCloseErrorIsLoggedAndFailsTheExit(t *testing.T) {
	ch := closeFails{broadcast.ChannelFunc("irc", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, nil
	})}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var logs strings.Builder
	log := newLogger(&syncWriter{w: &logs}, slog.LevelInfo, func(s string) string { return strings.ReplaceAll(s, "s3cret-pw-42", "${IRC_PASSWORD}") })
	ta := newTestAPI()
	s := &server{log: log, api: ta.api, ln: ln, http: newHTTPServer(ta.h, log), grace: time.Second,
		b: &config.Broadcaster{Broadcaster: b}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.Equal(t, 1, s.serveExit(ctx, nil))
	assert.Contains(t, logs.String(), "close the channels: broadcast: close irc: quit: connection reset; password ${IRC_PASSWORD}")
	assert.NotContains(t, logs.String(), "s3cret-pw-42")
}
