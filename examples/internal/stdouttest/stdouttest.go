// Package stdouttest gives the tests of the example programs what a call
// wrote on the process's standard output, as a program's -h prints its
// help there.
package stdouttest

import (
	"io"
	"os"
	"testing"
)

// Capture calls f with os.Stdout replaced by a pipe, puts os.Stdout back,
// and returns what f wrote on it. The pipe is read while f runs, so f may
// write more than a pipe holds. It is not safe to call from tests that
// run in parallel, as it replaces os.Stdout for the whole process.
func Capture(t testing.TB, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	type read struct {
		out []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		out, err := io.ReadAll(r)
		done <- read{out, err}
	}()
	stdout := os.Stdout
	os.Stdout = w
	func() {
		defer func() { os.Stdout = stdout }()
		f()
	}()
	cerr := w.Close()
	got := <-done
	_ = r.Close()
	if cerr != nil {
		t.Fatalf("closing the pipe: %v", cerr)
	}
	if got.err != nil {
		t.Fatalf("reading the pipe: %v", got.err)
	}
	return string(got.out)
}
