// Package shutdown is how the example programs that serve HTTP stop: the
// first SIGINT or SIGTERM starts a graceful shutdown, the second stops at
// once (exit status ExitAbandoned), and a third, should that hang, kills
// the process.
package shutdown

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"
)

// Signals returns a context cancelled by the first of sigs (shut down
// gracefully) and a channel closed by the second (stop at once). After
// that, the signals have their default effect again: a third one kills
// the process, should the forced stop itself hang.
func Signals(sigs ...os.Signal) (context.Context, <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	c := make(chan os.Signal, 2)
	signal.Notify(c, sigs...)
	go func() {
		<-c
		cancel()
		<-c
		signal.Stop(c)
		close(abort)
	}()
	return ctx, abort
}

// ErrAbandoned is Serve's error when a second signal ended the shutdown
// before the requests under way finished.
var ErrAbandoned = errors.New("stopped at once by a second signal")

// ErrCutOff is Serve's error when the grace period ended before the
// requests under way finished: they were cut off, without an answer.
var ErrCutOff = errors.New("the shutdown's grace period ended: the requests under way were cut off")

// ExitAbandoned is the exit status after a second signal: 128+SIGINT, as
// a shell reports a program Ctrl-C ended.
const ExitAbandoned = 130

// Serve serves srv on ln until ctx is done (or serving fails), then stops
// taking connections and lets the requests under way finish within grace
// (0: however long they take), cutting off those still running after it.
// When abort is closed first (a second signal), it closes every connection
// and returns ErrAbandoned at once, or nil when no request was under way;
// when the grace period ended first, it returns ErrCutOff. Serving that
// failed as ctx ended is its error.
func Serve(ctx context.Context, abort <-chan struct{}, srv *http.Server, ln net.Listener, grace time.Duration) error {
	return serve(ctx, abort, srv, func() error { return srv.Serve(ln) }, grace)
}

// serve is Serve, srv serving through run.
func serve(ctx context.Context, abort <-chan struct{}, srv *http.Server, run func() error, grace time.Duration) (err error) {
	served := make(chan error, 1)
	go func() { served <- run() }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	gctx, cancel := context.WithCancel(context.Background())
	if grace > 0 {
		gctx, cancel = context.WithTimeout(gctx, grace)
	}
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(gctx) }()
	defer func() {
		// http.ErrServerClosed, once Shutdown began; another error when
		// serving failed before it, as ctx ended: the program's outcome.
		if failed := <-served; !errors.Is(failed, http.ErrServerClosed) && err == nil {
			err = failed
		}
	}()
	select {
	case err := <-stopped:
		if err != nil {
			srv.Close() // the grace period is over
			return ErrCutOff
		}
		return nil
	case <-abort:
		// Shutdown returns at once: nil when no request was under way
		// (it checks before it looks at gctx), a clean stop that two
		// signals at once (timeout(1) sends two) must not report as
		// requests lost.
		cancel()
		if err := <-stopped; err == nil {
			return nil
		}
		srv.Close()
		return ErrAbandoned
	}
}
