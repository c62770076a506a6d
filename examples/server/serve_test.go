package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
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
		rig.done <- shutdownAfter(ctx, rig.abort, newHTTPServer(h, log), ln, grace, func() { rig.step("drain") },
			func(ctx context.Context) error {
				rig.mu.Lock()
				defer rig.mu.Unlock()
				rig.steps, rig.stop = append(rig.steps, "stop workers"), ctx
				return nil
			}, log)
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
