package bluesky

import (
	"context"
	"net/http"
	"time"

	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
)

// maxLimitWait caps a hold of a rate limit: Bluesky's longest windows
// are a day (the account's daily write points, logins per day), so a
// later reset is a bogus header, not a limit.
const maxLimitWait = 24 * time.Hour

// limitGroup names the rate limit a request of the XRPC method nsid counts
// against, which the RateLimit-* fields of its answer describe. A PDS
// counts the record writes of an account together (points per hour and
// per day: createRecord, putRecord, deleteRecord, applyWrites), and its
// logins apart (createSession); any other request only against the limit
// of the IP address, which holds every request when used up
// (ratelimit.Every).
func limitGroup(nsid string) string {
	switch nsid {
	case "com.atproto.repo.createRecord", "com.atproto.repo.putRecord", "com.atproto.repo.deleteRecord",
		"com.atproto.repo.applyWrites":
		return "write"
	case "com.atproto.server.createSession":
		return "login"
	}
	return ratelimit.Every
}

// noteLimits records what the answer, with header h, to a request of the
// group key said of its limit: used up (RateLimit-Remaining: 0), it holds
// the group's next request until RateLimit-Reset (Unix seconds, by the
// answer's Date), as the PDS would refuse it with a 429.
func (c *Channel) noteLimits(key string, h http.Header) {
	local := c.s.now()
	c.s.rate.Note(key, h.Get("RateLimit-Remaining"), local, func() (time.Duration, bool) {
		return httpx.ResetWait(h, "RateLimit-Reset", local)
	})
}

// waitLimits waits until the limits of the group key have reset, if an
// answer said one was used up (see ratelimit.Limits.Wait).
func (c *Channel) waitLimits(ctx context.Context, key string) error {
	return c.s.rate.Wait(ctx, ratelimit.Clock{Now: c.s.now, Sleep: c.s.sleep}, "the account's rate limit", key)
}
