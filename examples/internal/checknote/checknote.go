// Package checknote words a check the example programs could not make:
// that of a channel that is no broadcast.Checker, whose
// broadcast.Broadcaster.Check returns broadcast.ErrNotSupported. A console
// has nothing to check (no server, no credentials: it writes to the
// program's standard output or standard error, which the program's own
// output shows working); any other such channel could be checked only by
// posting.
package checknote

import (
	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// Outcomes of NotChecked.
const (
	// NothingToCheck is a console's: it reaches no server with no
	// credentials.
	NothingToCheck = "nothing to check"
	// Unsupported is the outcome of any other channel that is no Checker.
	Unsupported = "unsupported"
)

// NotChecked returns the outcome and its reason for ch, whose check
// returned broadcast.ErrNotSupported (nil: a channel not known).
func NotChecked(ch broadcast.Channel) (outcome, why string) {
	if ch == nil {
		return Unsupported, "cannot be checked without posting"
	}
	if _, ok := broadcast.As[*console.Channel](ch); ok {
		return NothingToCheck, "writes to the output it is configured with, reaching no server, with no credentials"
	}
	return Unsupported, "cannot be checked without posting"
}
