// Package ratelimittest gives the tests of channels that hold requests
// for a used-up rate limit (see ratelimit) a clock whose sleeps pass at
// once.
package ratelimittest

import (
	"context"
	"sync"
	"time"
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
