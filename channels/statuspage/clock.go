package statuspage

import (
	"context"
	"time"

	"github.com/outagecast/outagecast/internal/ctxwait"
)

// clock is the system's clock, which the site's files take their
// modification times from, as a web server takes its Date: see writer.after.
// Tests replace it (newClock).
type clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx ends, and returns ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

// Now is the wall clock's time, without the monotonic reading: the
// files' times and a server's Date are the wall clock's.
func (systemClock) Now() time.Time { return time.Now().Round(0) }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error { return ctxwait.Sleep(ctx, d) }

// newClock returns the clock of a new Channel.
var newClock = func() clock { return systemClock{} }
