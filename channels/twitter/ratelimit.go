package twitter

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
)

// maxLimitWait caps a hold of an endpoint: X's longest windows are 24
// hours (the Free tier's posts, the 24-hour user and app limits), so a
// later reset is a bogus header, not a limit.
const maxLimitWait = 24 * time.Hour

// limitHeaders are the prefixes of X's fields of the limits an answer to
// an endpoint counts against: the endpoint's window, and for posts the
// 24-hour user and app limits.
var limitHeaders = []string{"x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour"}

// limitKey names the rate limit of a request to path: X counts per
// endpoint (method and route), not per post or user id.
func limitKey(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if i > 2 && p != "" && p != "me" && p != "tweets" {
			parts[i] = ":id" // /2/tweets/:id, /2/users/:id/tweets
		}
	}
	return method + " " + strings.Join(parts, "/")
}

// noteLimits records what X's answer, with header h, to a request to
// the endpoint key says of its limits: one used up (remaining 0) holds the
// endpoint's next request until its reset (the latest of those used up),
// as X would refuse it with a 429. Limits with requests left end no hold
// (see ratelimit.Limits.Note).
func (c *Channel) noteLimits(key string, h http.Header) {
	local := c.now()
	var wait time.Duration
	for _, prefix := range limitHeaders {
		if usedUp, _ := ratelimit.Remaining(h.Get(prefix + "-remaining")); !usedUp {
			continue
		}
		if d, ok := httpx.ResetWait(h, prefix+"-reset", local); ok {
			wait = max(wait, d)
		}
	}
	c.limits.Hold(key, local, wait)
}

// waitLimits waits until the limit of the endpoint key resets, if an
// answer said it was used up (see ratelimit.Limits.Wait).
func (c *Channel) waitLimits(ctx context.Context, key string) error {
	return c.limits.Wait(ctx, ratelimit.Clock{Now: c.now, Sleep: c.sleep}, "the endpoint's limit", key)
}
