package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shutdownRig serves a handler that holds each request until released,
// and records the steps of the shutdown in order.
type shutdownRig struct {
	addr    string
	started chan struct{} // a request arrived
	release chan struct{} // let requests finish
	done    chan error    // shutdownAfter's result
	cancel  context.CancelFunc
	abort   chan struct{} // closed: a second signal

	mu    sync.Mutex
	steps []string
	stop  context.Context // the context stopWorkers got
}

func newShutdownRig(t *testing.T, grace time.Duration) *shutdownRig {
	rig := &shutdownRig{started: make(chan struct{}, 1), release: make(chan struct{}), done: make(chan error, 1),
		abort: make(chan struct{})}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rig.started <- struct{}{}
		select {
		case <-rig.release:
			io.WriteString(w, "finished")
			rig.step("request finished")
		case <-r.Context().Done():
			rig.step("request cut off")
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	rig.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	rig.cancel = cancel
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() {
		rig.done <- shutdownAfter(ctx, rig.abort, newHTTPServer(h, log), ln, stopPlan{grace: grace, drain: func() { rig.step("drain") },
			stopWorkers: func(ctx context.Context) error {
				rig.mu.Lock()
				defer rig.mu.Unlock()
				rig.steps, rig.stop = append(rig.steps, "stop workers"), ctx
				return nil
			}}, log)
	}()
	return rig
}

func (rig *shutdownRig) step(s string) {
	rig.mu.Lock()
	defer rig.mu.Unlock()
	rig.steps = append(rig.steps, s)
}

func (rig *shutdownRig) recorded() []string {
	rig.mu.Lock()
	defer rig.mu.Unlock()
	return append([]string(nil), rig.steps...)
}

// get makes a request and sends its body, or its error, on the channel.
func (rig *shutdownRig) get() <-chan string {
	out := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + rig.addr + "/")
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		out <- string(b)
	}()
	return out
}

// On SIGTERM (ctx cancelled) the server stops accepting connections, lets
// the request under way finish, and only then stops the workers, with a
// deadline.
func TestShutdownFinishesRequestsThenStopsWorkers(t *testing.T) {
	rig := newShutdownRig(t, time.Minute)
	answer := rig.get()
	<-rig.started
	rig.cancel()

	require.True(t, eventually(func() bool {
		c, err := net.Dial("tcp", rig.addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	}), "the listener is closed")
	assert.Equal(t, []string{"drain"}, rig.recorded(), "the workers run while a request is under way")

	close(rig.release)
	assert.Equal(t, "finished", <-answer)
	require.NoError(t, <-rig.done)
	assert.Equal(t, []string{"drain", "request finished", "stop workers"}, rig.recorded())
	_, hasDeadline := rig.stop.Deadline()
	assert.True(t, hasDeadline, "the workers are stopped with a deadline")
}

// A request still running when the grace period ends is cut off; the
// workers are stopped all the same, at once.
func TestShutdownCutsOffRequestsAfterTheGracePeriod(t *testing.T) {
	rig := newShutdownRig(t, 50*time.Millisecond)
	defer close(rig.release)
	answer := rig.get()
	<-rig.started
	rig.cancel()

	err := <-rig.done
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, <-answer, "error: ")
	assert.Error(t, rig.stop.Err(), "no time left for the jobs: they are cancelled")
	steps := rig.recorded()
	assert.Equal(t, "drain", steps[0])
	assert.Contains(t, steps, "stop workers")
	assert.NotContains(t, steps, "request finished")
}

// A second signal during the shutdown ends it at once, however long the
// grace period: the request under way is abandoned, not waited for, and
// shutdownAfter says so (the server then exits non-zero). This is the
// usual convention, "Second Ctrl-C to force quit" (Command Line Interface
// Guidelines, clig.dev; Docker Compose's "press Ctrl+C again to force").
func TestSecondSignalStopsAtOnce(t *testing.T) {
	rig := newShutdownRig(t, time.Hour)
	answer := rig.get()
	<-rig.started
	rig.cancel()
	require.True(t, eventually(func() bool { return len(rig.recorded()) > 0 }), "the shutdown started")

	close(rig.abort)
	err := <-rig.done
	require.ErrorIs(t, err, errAbandoned)
	assert.Contains(t, <-answer, "error: ", "the request under way was cut off")
	require.True(t, eventually(func() bool { return slices.Contains(rig.recorded(), "request cut off") }))
	close(rig.release)
}

// A second signal before the first one's shutdown has begun still waits
// for nothing: the shutdown is abandoned as soon as it starts.
func TestSecondSignalBeforeShutdownStarts(t *testing.T) {
	rig := newShutdownRig(t, time.Hour)
	defer close(rig.release)
	answer := rig.get()
	<-rig.started
	close(rig.abort)
	rig.cancel()
	require.ErrorIs(t, <-rig.done, errAbandoned)
	assert.Contains(t, <-answer, "error: ")
}

// eventually polls cond every 10ms for up to 10s.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

// On SIGTERM /readyz fails first, and the server keeps serving for the
// drain delay before it closes its listener: a load balancer sees the
// failing probe and stops sending requests before connections are
// refused (Kubernetes, "Pod termination": endpoints are removed only after
// the Pod is marked terminating, while kube-proxy and load balancers
// still send traffic for a while; https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/).
// The delay's sleep is the test's, so nothing depends on timing.
func TestDrainDelayKeepsServingWithReadinessFailing(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	var mu sync.Mutex
	var steps []string
	step := func(s string) { mu.Lock(); defer mu.Unlock(); steps = append(steps, s) }
	recorded := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(steps) }
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := "http://" + ln.Addr().String() + "/readyz"
	inDelay, endDelay := make(chan struct{}), make(chan struct{})
	plan := stopPlan{grace: time.Hour, drainDelay: 5 * time.Second,
		drain: func() { ready.Store(false); step("drain") },
		sleep: func(ctx context.Context, d time.Duration) {
			step("drain delay " + d.String())
			close(inDelay)
			<-endDelay
		},
		stopWorkers: func(context.Context) error { step("stop workers"); return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- shutdownAfter(ctx, nil, newHTTPServer(h, log), ln, plan, log) }()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	status := func() int {
		resp, err := client.Get(addr)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, status())

	cancel()
	select {
	case <-inDelay:
	case err := <-done:
		t.Fatalf("the listener closed with no drain delay (%v)", err)
	}
	assert.Equal(t, http.StatusServiceUnavailable, status(), "a new connection is served during the delay: readiness fails")
	assert.Equal(t, []string{"drain", "drain delay 5s"}, recorded())
	close(endDelay)
	require.NoError(t, <-done)
	assert.Equal(t, 0, status(), "the listener is closed after the delay")
	assert.Equal(t, []string{"drain", "drain delay 5s", "stop workers"}, recorded())
}

// Without a drain delay the listener closes right after the drain, as
// before: the sleep is not called.
func TestNoDrainDelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var steps []string // one goroutine at a time: shutdownSteps'
	plan := stopPlan{grace: time.Hour, drain: func() { steps = append(steps, "drain") },
		sleep:       func(context.Context, time.Duration) { steps = append(steps, "drain delay") },
		stopWorkers: func(context.Context) error { steps = append(steps, "stop workers"); return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	require.NoError(t, shutdownAfter(ctx, nil, newHTTPServer(http.NotFoundHandler(), log), ln, plan, log))
	assert.Equal(t, []string{"drain", "stop workers"}, steps)
}

// -drain-delay defaults to 5s, or half of a shorter -shutdown-timeout; one
// set that leaves no time for the requests under way is refused.
func TestDrainDelayFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 5 * time.Second},
		{[]string{"-shutdown-timeout", "4s"}, 2 * time.Second},
		{[]string{"-shutdown-timeout", "0"}, 0},
		{[]string{"-drain-delay", "0"}, 0},
		{[]string{"-drain-delay", "20s"}, 20 * time.Second},
		{[]string{"-drain-delay", "3s", "-shutdown-timeout", "4s"}, 3 * time.Second},
	} {
		o, err := parseFlags(tt.args, io.Discard)
		require.NoError(t, err, tt.args)
		assert.Equal(t, tt.want, o.drainDelay, tt.args)
	}
	for args, msg := range map[string]string{
		"-drain-delay -1s":                     "-drain-delay: negative",
		"-drain-delay 30s":                     "-drain-delay: 30s leaves no time of -shutdown-timeout (30s) for the requests under way",
		"-drain-delay 1s -shutdown-timeout 0s": "-drain-delay: 1s leaves no time of -shutdown-timeout (0s)",
	} {
		_, err := parseFlags(strings.Fields(args), io.Discard)
		assert.ErrorContains(t, err, msg, args)
	}
}

// A client whose body stalls past the server's read timeout (a network
// failing during an outage) is told 408, so that it sends the update again,
// not 400, which says the request is wrong and not to be sent again.
func TestStalledBodyIsRequestTimeout(t *testing.T) {
	ta := newTestAPI()
	srv := newHTTPServer(ta.h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.ReadTimeout = 100 * time.Millisecond // the deadline the test waits for
	conn, err := net.Dial("tcp", serveOn(t, srv))
	require.NoError(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/updates HTTP/1.1\r\nHost: outagecast\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", newToken, len(update), update[:10])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(body))
	assert.True(t, resp.Close, "the connection is closed")
	assert.Contains(t, string(body), "send it again")
	assert.NotContains(t, string(body), "127.0.0.1", "no addresses of the connection")
	assert.Zero(t, ta.be.queued())
}

// From the drain on, an answer closes its connection (Connection: close):
// a client that keeps its connection (most HTTP clients, chat bots and CI
// tools among them) would otherwise go on sending its requests here, past
// the load balancer, which routes only new connections, until the
// listener closes and its next POST meets a closed connection.
func TestDrainEndsKeepAlive(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String() + "/"
	inDelay, endDelay := make(chan struct{}), make(chan struct{})
	plan := stopPlan{grace: time.Hour, drainDelay: 5 * time.Second, drain: func() {},
		sleep:       func(context.Context, time.Duration) { close(inDelay); <-endDelay },
		stopWorkers: func(context.Context) error { return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- shutdownAfter(ctx, nil, newHTTPServer(http.NotFoundHandler(), log), ln, plan, log) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	closes := func() bool {
		resp, err := client.Get(url)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.Close
	}
	assert.False(t, closes(), "before the drain, connections are kept")

	cancel()
	<-inDelay
	assert.True(t, closes(), "during the drain delay, the answer closes the connection")
	close(endDelay)
	require.NoError(t, <-done)
}
