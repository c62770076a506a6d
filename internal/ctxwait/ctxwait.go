// Package ctxwait waits a while unless a context ends first: the one way
// the project's packages sleep between tries.
package ctxwait

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends, and then returns ctx's error: nil
// when d passed first. A ctx already ended returns its error at once,
// whatever d, even 0.
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
