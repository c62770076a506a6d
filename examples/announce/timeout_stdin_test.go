package main

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
