package discord

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// buckets keeps what the rate limit headers of Discord's answers said of
// the webhook's routes. A request to a route whose bucket an answer,
// a 2xx included, said was used up (X-RateLimit-Remaining: 0) waits until
// the bucket refills (X-RateLimit-Reset-After): Discord would refuse it
// with a 429, and it counts every 401, 403 and 429 against the IP address
// the request came from (Invalid Request Limit: 10,000 in 10 minutes, then
// a ban by its edge). A route that no answer placed in a bucket yet
// waits for every bucket used up: it may be in one of them.
type buckets struct {
	mu    sync.Mutex
	of    map[string]string    // route → its bucket, as X-RateLimit-Bucket names it
	until map[string]time.Time // bucket (the route, while none is named) → when it refills
}

// key is the bucket of route, or route while no answer named one. The
// caller holds b.mu.
func (b *buckets) key(route string) string {
	if k, ok := b.of[route]; ok {
		return k
	}
	return route
}

// note records the rate limit headers h of an answer to route, received at
// now.
func (b *buckets) note(route string, h http.Header, now time.Time) {
	bucket := strings.TrimSpace(h.Get("X-RateLimit-Bucket"))
	remaining := strings.TrimSpace(h.Get("X-RateLimit-Remaining"))
	if bucket == "" && remaining == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.of == nil {
		b.of, b.until = map[string]string{}, map[string]time.Time{}
	}
	if bucket != "" {
		b.of[route] = bucket
	}
	key := b.key(route)
	if n, err := strconv.ParseUint(remaining, 10, 64); err != nil || n > 0 {
		if err == nil {
			delete(b.until, key) // refilled
		}
		return
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Reset-After")), 64)
	if err != nil {
		return
	}
	if d, ok := httpx.Seconds(v); ok && d > 0 {
		b.until[key] = now.Add(d)
	}
}

// wait waits, by clock now, until the bucket of route refills. A wait
// that would pass ctx's deadline is not begun: its error is a rate limit
// naming the time left (httpx.RateLimited), so the Broadcaster retries
// once the bucket has refilled. A wait that ctx ends fails with ctx's
// error.
func (b *buckets) wait(ctx context.Context, route string, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	b.mu.Lock()
	until := b.until[b.key(route)]
	if _, known := b.of[route]; !known {
		// A route no answer placed yet may share the bucket used up.
		for _, u := range b.until {
			until = later(until, u)
		}
	}
	b.mu.Unlock()
	t := now()
	d := until.Sub(t)
	if d <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && deadline.Before(until) {
		return httpx.RateLimited(fmt.Errorf("rate limit: the webhook's bucket is used up for %v more, longer than the attempt has left: not requested",
			d.Round(time.Millisecond)), d, true)
	}
	if err := sleep(ctx, d); err != nil {
		return fmt.Errorf("wait for the rate limit: %w", err)
	}
	return nil
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// route names the rate limit route of a request to path ("" or
// "/messages/ID"): Discord's buckets are per route and its major
// parameter, the webhook, not per message.
func route(method, path string) string {
	if path == "" {
		return method
	}
	return method + " /messages"
}
