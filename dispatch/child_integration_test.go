//go:build integration

package dispatch_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// A worker process is this test binary run again with these variables set.
const (
	childEnv      = "OUTAGECAST_DISPATCH_CHILD" // the connection string
	childHooksEnv = "OUTAGECAST_DISPATCH_HOOKS" // "<base URL> <channels> <endpoints per channel>"
)

// Timeouts of the worker processes: short, so that the jobs of a killed one
// are rescued within the test (River's rescuer still only looks every 30s).
const (
	childAttemptTimeout = 8 * time.Second
	childJobTimeout     = 9 * time.Second
	childRescueAfter    = 10 * time.Second
	childWorkers        = 2
	childConcurrency    = 4 // requests at once per job
)

// childConfig is the worker processes' configuration, also used by the
// parent to enqueue with the same channels.
func childConfig() (broadcast.Options, dispatch.Config) {
	return broadcast.Options{AttemptTimeout: childAttemptTimeout},
		dispatch.Config{Workers: childWorkers, JobTimeout: childJobTimeout, RescueAfter: childRescueAfter}
}

// runChild is a worker process: it works jobs until its standard input
// closes (the test ended) or it is killed. It prints "ready" once started.
func runChild() int {
	var base string
	var n, per int
	if _, err := fmt.Sscan(os.Getenv(childHooksEnv), &base, &n, &per); err != nil {
		fmt.Fprintln(os.Stderr, "child: bad", childHooksEnv, err)
		return 2
	}
	ctx := context.Background()
	opts, cfg := childConfig()
	in, err := openInstance(ctx, os.Getenv(childEnv), newHooks(base, n, per, childConcurrency), opts, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	if err := in.d.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := in.close(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// worker is a running worker process.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	stderr *syncbuf.Buffer
	done   chan struct{}
}

// startWorker starts a worker process on dsn for the channels of newHooks
// under base, and waits until it is ready. Cleanup stops it.
func startWorker(t *testing.T, dsn, base string, channels, per int) *worker {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dsn, fmt.Sprintf("%s=%s %d %d", childHooksEnv, base, channels, per))
	w := &worker{cmd: cmd, stderr: &syncbuf.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = w.stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	w.stdin = stdin
	require.NoError(t, cmd.Start())
	go func() {
		defer close(w.done)
		_ = cmd.Wait()
	}()
	t.Cleanup(w.stop)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoErrorf(t, err, "worker did not start: %s", w.stderr)
	require.Equal(t, "ready", strings.TrimSpace(line), w.stderr.String())
	return w
}

func (w *worker) pid() int { return w.cmd.Process.Pid }

// kill kills the process at once, as a crash or an OOM kill would, and
// waits until it is gone.
func (w *worker) kill() {
	_ = w.cmd.Process.Kill()
	<-w.done
}

// stop closes the worker's standard input, so it stops cleanly, and waits
// for it; a worker that does not stop within a minute is killed.
func (w *worker) stop() {
	_ = w.stdin.Close()
	select {
	case <-w.done:
	case <-time.After(time.Minute):
		w.kill()
	}
}

// waitFor polls cond every 10ms until it holds or d passes; it reports
// whether it held.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
