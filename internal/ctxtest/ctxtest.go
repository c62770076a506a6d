// Package ctxtest holds contexts for tests that end an operation at a
// chosen point.
package ctxtest

import "context"

// EndsAfterLooks returns a context whose Err is nil the first n times it
// is asked, and context.Canceled from then on: an operation that checks
// its context between steps (a Store's Prune between batches) ends after
// its n-th check. Its Done channel and deadline are parent's.
func EndsAfterLooks(parent context.Context, n int) context.Context {
	return &endsAfterLooks{Context: parent, left: n}
}

// endsAfterLooks is not safe for concurrent use: the operations it ends
// check it from one goroutine.
type endsAfterLooks struct {
	context.Context
	left int
}

func (c *endsAfterLooks) Err() error {
	if c.left > 0 {
		c.left--
		return nil
	}
	return context.Canceled
}
