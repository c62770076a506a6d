package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// newHTTPServer returns the server's http.Server. A slow or stuck client
// cannot hold a connection: the headers (64 KiB at most) must arrive within
// 10s, the whole request within 30s, and the answer be written within 30s
// more than a GET may wait.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      maxWait + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serve answers until ctx is done, then shuts the instance down and closes
// it (see shutdown).
func (s *server) serve(ctx context.Context) error {
	defer s.close()
	return shutdownAfter(ctx, s.http, s.ln, s.grace, s.api.drain, s.stopWorkers, s.log)
}

// stopWorkers stops this instance's workers: they take no new job, and
// the jobs under way get until ctx ends to finish; then they are cancelled
// and River runs them again, on any instance, resuming from their Ledger.
func (s *server) stopWorkers(ctx context.Context) error {
	s.api.running.Store(false)
	return s.d.Stop(ctx)
}

// shutdownAfter serves srv on ln until ctx is done (or serving fails),
// then shuts down within grace, in this order: drain (readiness fails,
// waits end), close the listener and let the requests under way finish,
// and stop the workers with what is left of grace. Requests still running
// when grace ends are cut off.
func shutdownAfter(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration,
	drain func(), stopWorkers func(context.Context) error, log *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-served: // the listener failed
		served = nil
	case <-ctx.Done():
		log.Info("shutting down", slog.Duration("grace", grace))
	}
	drain()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		srv.Close()
		err = errors.Join(err, serr)
	}
	if served != nil {
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	}
	if werr := stopWorkers(sctx); werr != nil {
		err = errors.Join(err, werr)
	}
	log.Info("stopped")
	return err
}
