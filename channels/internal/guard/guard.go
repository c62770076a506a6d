// Package guard turns a panic in code that a channel's user gave it (a
// Config.HTTPClient's Transport, Jar, dialers, Proxy or TLS callbacks, a
// token source, a caller-built Message.Ledger) into an error, where the
// channel runs that code in a goroutine of its own: there, a panic that
// nothing recovers ends the process, where the Broadcaster fails the
// channel for a panic in the goroutine that called Send.
//
// Recover, deferred by a target's work (one request, one dial), makes a
// panic there that target's permanent failure. Panics, deferred by the
// goroutines of one call, keeps a panic elsewhere in them (in a
// Message.Ledger's mark, say) for the calling goroutine to raise once
// they all ended: it fails the channel there as if it had happened there.
//
// # Errors
//
// The error of a panic is broadcast.Permanent, reads "what: panicked" and
// matches ErrPanicked. It names the panic's value only if it is a
// runtime.Error the runtime raised (a nil pointer dereference, an index
// out of range): any other value may quote the request, and its secrets.
// The rule is package panictext's, which the Broadcaster follows too: a
// panic Raise raises shows there as Error made it.
package guard

import (
	"errors"
	"fmt"
	"sync"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/panictext"
)

// ErrPanicked is matched by the error of a panic (see Error).
var ErrPanicked = errors.New("panicked")

// Error returns the error of a panic whose value is r in what: "what:
// panicked", and the value when it is a runtime.Error; permanent, since
// no retry fixes a bug.
func Error(what string, r any) error {
	if re, ok := panictext.Runtime(r); ok {
		return broadcast.Permanent(fmt.Errorf("%s: %w: %w", what, ErrPanicked, re))
	}
	return broadcast.Permanent(fmt.Errorf("%s: %w", what, ErrPanicked))
}

// Recover, deferred (itself, not from another deferred function), turns a
// panic of the function that deferred it into the error of Error(what, …)
// in *err.
func Recover(what string, err *error) {
	if r := recover(); r != nil {
		*err = Error(what, r)
	}
}

// Panics keeps the first panic in the goroutines of one call, for the
// calling goroutine to raise (Raise) once they all ended. Its zero value
// is ready to use; it must not be copied after first use.
type Panics struct {
	mu  sync.Mutex
	err error
}

// Catch, deferred (itself, not from another deferred function) by a
// goroutine, or by a job of one that must take the next job after a
// panic, recovers a panic there and keeps its error, Error(what, …),
// unless an earlier one is kept.
func (p *Panics) Catch(what string) {
	if r := recover(); r != nil {
		p.mu.Lock()
		if p.err == nil {
			p.err = Error(what, r)
		}
		p.mu.Unlock()
	}
}

// Raise panics with the error kept, if any, as a panictext.Shown: its text
// was made by Error, so the Broadcaster, which recovers the panic there
// and fails the channel, shows it. Call it in the calling goroutine once
// the goroutines ended; a caller of Send may recover the panic too.
func (p *Panics) Raise() {
	p.mu.Lock()
	err := p.err
	p.mu.Unlock()
	if err != nil {
		panic(panictext.Shown{Err: err})
	}
}

// Go calls f from n goroutines at once and returns once all of them have
// returned; a panic in one is raised again here, in the calling
// goroutine, as Raise does, once the others returned: in the goroutine
// it would end the process.
func Go(n int, what string, f func()) {
	var wg sync.WaitGroup
	var panics Panics
	for range n {
		wg.Go(func() {
			defer panics.Catch(what)
			f()
		})
	}
	wg.Wait()
	panics.Raise()
}
