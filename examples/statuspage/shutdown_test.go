package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A second signal during the shutdown (abort closed while a request is
// under way) ends serve with errAbandoned, and the program exits 130; the
// shutdown itself is tested in examples/internal/shutdown.
func TestSecondSignalExits130(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	started, held := make(chan struct{}), make(chan struct{})
	defer close(held)
	h := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-held:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- serve(ctx, abort, &http.Server{Handler: h}, ln) }()
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		if resp, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	close(abort)
	err = <-done
	<-answered
	require.ErrorIs(t, err, errAbandoned)
	assert.Equal(t, 130, exitStatus(err))
	assert.Equal(t, 1, exitStatus(io.ErrUnexpectedEOF), "other errors exit 1")
}
