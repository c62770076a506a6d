package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/outagecast/outagecast/examples/internal/serverlimits"
	"github.com/outagecast/outagecast/internal/ctxwait"
)

// readTimeout bounds the reading of a whole request, its body included:
// a body that has not arrived by then is answered 408.
const readTimeout = 30 * time.Second

// newHTTPServer returns the server's http.Server. A slow or stuck client
// cannot hold a connection: the headers (64 KiB at most) must arrive within
// 10s, the whole request within readTimeout, and the answer be written
// within 30s more than a GET may wait.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           serverlimits.CloseRefused(h), // a refusal does not wait for the body
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      maxWait + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serve answers until ctx is done, then shuts the instance down and closes
// it (see shutdownAfter); its error is the shutdown's and the close's (a
// channel's connection that did not close cleanly), which the caller logs
// through s.log, whose handler hides secrets. When abort is closed (a second signal) first, it
// returns errAbandoned at once, leaving the jobs under way running until
// the process exits: closing the pool would wait for them. So it does
// while it closes: a job that outlived the stop of the workers (its
// channel ignoring its ctx) holds the Broadcaster's Close and the pool's.
func (s *server) serve(ctx context.Context, abort <-chan struct{}) error {
	err := shutdownAfter(ctx, abort, s.http, s.ln, stopPlan{grace: s.grace, drain: s.api.drain, drainDelay: s.drainDelay,
		stopWorkers: s.stopWorkers}, s.log)
	if errors.Is(err, errAbandoned) {
		s.logAbandoned()
		return err
	}
	closed := make(chan error, 1)
	go func() { closed <- s.close() }()
	select {
	case cerr := <-closed:
		return errors.Join(err, cerr)
	case <-abort:
		s.logAbandoned()
		return errAbandoned
	}
}

// logAbandoned says what a second signal abandoned.
func (s *server) logAbandoned() {
	s.log.Error("stopped at once by a second signal: nothing accepted is lost",
		slog.String("requests", "those under way get no answer; an update not answered 202 may not be queued: post it again (its id queues it once)"),
		slog.String("jobs", "those running here stay in PostgreSQL and run again on any replica after rescue_after, "+
			"resuming where they stopped (a delivery under way may reach its receiver twice, with the same idempotency key)"),
		slog.Duration("rescue_after", s.rescueAfter),
		slog.String("accepted", "every update answered 202 is queued in PostgreSQL"))
}

// stopWorkers stops this instance's workers: they take no new job, and
// the jobs under way get until ctx ends to finish; then they are cancelled
// and River runs them again, on any instance, resuming from their Ledger.
func (s *server) stopWorkers(ctx context.Context) error {
	s.api.running.Store(false)
	return s.d.Stop(ctx)
}

// errAbandoned is shutdownAfter's error when a second signal ended the
// shutdown before it finished.
var errAbandoned = errors.New("shutdown abandoned: a second signal")

// stopPlan is what shutdownAfter does once serving should end.
type stopPlan struct {
	grace       time.Duration                              // for the whole shutdown, the drain delay included
	drain       func()                                     // fails /readyz and ends waits
	drainDelay  time.Duration                              // between drain and closing the listener
	sleep       func(ctx context.Context, d time.Duration) // waits d or until ctx ends; nil: a timer
	stopWorkers func(context.Context) error
}

// shutdownAfter serves srv on ln until ctx is done (or serving fails),
// then shuts down within p.grace, in this order: drain (readiness fails,
// waits end, answers close their connections), keep serving for
// p.drainDelay, so that load balancers see
// the failing /readyz and stop sending requests before connections are
// refused, close the listener and let the requests under way finish, and
// stop the workers with what is left of grace. Requests still running
// when grace ends are cut off. When abort is closed during the shutdown
// (the second signal), it closes every connection and returns
// errAbandoned at once, without waiting for the workers.
func shutdownAfter(ctx context.Context, abort <-chan struct{}, srv *http.Server, ln net.Listener, p stopPlan, log *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-served: // the listener failed
		served = nil
	case <-ctx.Done():
		log.Info("shutting down", slog.Duration("grace", p.grace), slog.Duration("drain_delay", p.drainDelay),
			slog.String("hint", "a second signal stops at once"))
	}
	stopped := make(chan error, 1)
	go func() { stopped <- shutdownSteps(ctx, srv, served, p) }()
	select {
	case serr := <-stopped:
		log.Info("stopped")
		return errors.Join(err, serr)
	case <-abort:
		srv.Close()
		return errAbandoned
	}
}

// shutdownSteps is shutdownAfter's sequence, once serving has ended or should.
// served is Serve's result, nil when it has already been received (the
// listener failed: there is nothing to keep serving for the drain delay).
func shutdownSteps(ctx context.Context, srv *http.Server, served <-chan error, p stopPlan) error {
	p.drain()
	// Answers close their connections from now on: a load balancer routes
	// new connections elsewhere, but a kept one would still bring its
	// client's requests here until the listener closes.
	srv.SetKeepAlivesEnabled(false)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.grace)
	defer cancel()
	if p.drainDelay > 0 && served != nil {
		if p.sleep == nil {
			p.sleep = func(ctx context.Context, d time.Duration) { _ = ctxwait.Sleep(ctx, d) }
		}
		p.sleep(sctx, p.drainDelay)
	}
	var err error
	if serr := srv.Shutdown(sctx); serr != nil {
		srv.Close()
		err = serr
	}
	if served != nil {
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	}
	if werr := p.stopWorkers(sctx); werr != nil {
		err = errors.Join(err, werr)
	}
	return err
}
