// Package ratelimittest gives the tests of channels that hold requests
// for a used-up rate limit (see ratelimit) a clock whose sleeps pass at
// once, a sleep that lasts until its context ends (Held) and what a
// channel's Close must do to a Send held in it (CloseEndsWait), and a
// transport that holds one request in flight (Gate).
package ratelimittest

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// Clock reads T; each Sleep passes at once, moving T on by its duration,
// and records the duration in Waits and what the counter given to New
// counted by then (the requests a fake back end had) in Seen. Its Now
// and Sleep are safe for concurrent use; read T, Waits and Seen once the
// goroutines using it are done.
type Clock struct {
	T     time.Time
	Waits []time.Duration
	Seen  []int
	count func() int
	mu    sync.Mutex
}

// New returns a Clock reading start, whose sleeps record count().
func New(start time.Time, count func() int) *Clock { return &Clock{T: start, count: count} }

// Now returns T.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.T
}

// Sleep records d and count(), moves T on by d, and returns nil.
func (c *Clock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Waits = append(c.Waits, d)
	c.Seen = append(c.Seen, c.count())
	c.T = c.T.Add(d)
	return nil
}

// Gate is an http.RoundTripper that holds one request, the first that
// Match takes once the Gate is armed (see Arm), until Release is closed;
// Arrived is closed when that request arrives. Every request goes on
// through Next, http.DefaultTransport when nil. A test makes a request
// with a rate limit's last one in flight with it.
type Gate struct {
	Match            func(*http.Request) bool
	Next             http.RoundTripper
	Arrived, Release chan struct{}
	armed            atomic.Bool
}

// NewGate returns a Gate, not armed, holding the first request match
// takes once armed, going on through next (nil: http.DefaultTransport).
func NewGate(match func(*http.Request) bool, next http.RoundTripper) *Gate {
	return &Gate{Match: match, Next: next, Arrived: make(chan struct{}), Release: make(chan struct{})}
}

// Arm makes g hold the next request Match takes.
func (g *Gate) Arm() { g.armed.Store(true) }

// RoundTrip holds req when it is the one g waits for, then sends it on.
func (g *Gate) RoundTrip(req *http.Request) (*http.Response, error) {
	if g.Match(req) && g.armed.CompareAndSwap(true, false) {
		close(g.Arrived)
		<-g.Release
	}
	next := g.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(req)
}

// ErrNotEnded is the error of a Held sleep that nothing ended.
var ErrNotEnded = errors.New("ratelimittest: the wait was not ended")

// Held is a sleep that lasts until its context ends, as a wait for a
// limit far from its reset does: a test ends it by ending the context
// (or what the channel ends it with, its Close). Should nothing end it,
// it fails with ErrNotEnded after a minute, rather than hang the test.
type Held struct {
	began chan struct{}
	once  sync.Once
}

// NewHeld returns a Held sleep.
func NewHeld() *Held { return &Held{began: make(chan struct{})} }

// Began is closed when the first Sleep begins.
func (h *Held) Began() <-chan struct{} { return h.began }

// Sleep waits until ctx ends, and returns its error.
func (h *Held) Sleep(ctx context.Context, _ time.Duration) error {
	h.once.Do(func() { close(h.began) })
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return ErrNotEnded
	}
}

// CloseEndsWait checks what a channel's Close does to a Send held in h's
// Sleep (a wait for a rate limit to reset): send runs in a goroutine of its
// own; once it is held, closeChannel is called, and send must fail at once
// with the channel's closed error, permanent, and neither Uncertain nor a
// wait to retry after, since nothing was sent during the wait (see
// ClosedUnsent).
func (h *Held) CloseEndsWait(t testing.TB, send, closeChannel func() error, closed error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- send() }()
	<-h.Began()
	if err := closeChannel(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ClosedUnsent(t, <-done, closed)
}

// ClosedUnsent checks that err is the error of a Send that a channel's
// Close ended before it made a request: it matches closed, is permanent,
// and is neither Uncertain nor a wait to retry after.
func ClosedUnsent(t testing.TB, err, closed error) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatal("no error: want the channel's closed error")
	case !errors.Is(err, closed):
		t.Errorf("%q does not match %q", err, closed)
	case !broadcast.IsPermanent(err):
		t.Errorf("IsPermanent(%q) = false", err)
	case broadcast.IsUncertain(err):
		t.Errorf("IsUncertain(%q) = true: nothing was sent", err)
	}
	if _, waits := broadcast.RetryDelay(err); waits {
		t.Errorf("RetryDelay(%q) asks to wait", err)
	}
}
