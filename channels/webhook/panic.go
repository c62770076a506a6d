package webhook

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/outagecast/outagecast/broadcast"
)

// errPanicked is matched by the error of a request, or a check, that
// panicked (see recovered).
var errPanicked = errors.New("panicked")

// recovered, deferred by what runs code of Config.HTTPClient (its
// Transport, Jar, dialers, proxy function and TLS callbacks) in a
// goroutine of the channel's, turns a panic there into a permanent error
// in *err, "what: panicked": a panic in a goroutine that does not recover
// it ends the process, where the Broadcaster fails the channel for a
// panic in Send. The panic's value is named only if it is a runtime
// error: another may quote the request, and its secrets.
func recovered(what string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	e := fmt.Errorf("%s: %w", what, errPanicked)
	if re, ok := r.(runtime.Error); ok {
		e = fmt.Errorf("%s: %w: %w", what, errPanicked, re)
	}
	*err = broadcast.Permanent(e)
}
