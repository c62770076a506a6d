package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// -timeout bounds the whole run, "-body -" waiting on standard input too,
// which then says it timed out.
func TestTimeoutWhileReadingBody(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"-title", "T", "-status", "investigating", "-body", "-", "-timeout", "50ms"}, pr, &stdout, &stderr)
	}()
	select {
	case code := <-done:
		assert.Equal(t, exitFailed, code)
		assert.Contains(t, stderr.String(), "gave up after -timeout 50ms", "timed out, not interrupted")
	case <-time.After(20 * time.Second): // hang guard, not a timing assertion
		t.Fatal("-timeout 50ms did not end a run waiting on standard input for -body -")
	}
}

// A run interrupted while "-body -" waits on standard input leaves no
// goroutine reading it, when the input can be given a read deadline (a
// pipe os.Pipe made, a socket): run is then safe to call from tests, and
// the input can be read again afterwards.
func TestInterruptedReadLeavesNoGoroutine(t *testing.T) {
	for _, mode := range []string{"interrupted", "timed out"} {
		t.Run(mode, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			pr, pw, err := os.Pipe()
			require.NoError(t, err)
			defer pr.Close()
			defer pw.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			args := []string{"-title", "T", "-status", "investigating", "-body", "-"}
			want := exitFailed
			if mode == "timed out" {
				args = append(args, "-timeout", "10ms")
			} else {
				cancel()
				want = exitInterrupted
			}
			var stdout, stderr bytes.Buffer
			assert.Equal(t, want, run(ctx, args, pr, &stdout, &stderr))
			goleak.VerifyNone(t, ignore)
			if t.Failed() {
				return // the goroutine left would take what is written next
			}

			// The input is left as it was found: no deadline.
			_, err = pw.Write([]byte("x"))
			require.NoError(t, err)
			buf := make([]byte, 1)
			_, err = pr.Read(buf)
			assert.NoError(t, err)
		})
	}
}
