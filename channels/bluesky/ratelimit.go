package bluesky

import (
	"context"
	"net/http"
	"strings"
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

// cost is the points a request of the XRPC method nsid costs of the
// limit of its group: a PDS counts an account's record writes in points,
// a created record 3, an updated one 2, a deleted one 1 (applyWrites the
// sum of its writes, counted here as one created record, the channel
// sending none); every other limit counts requests.
func cost(nsid string) int {
	switch nsid {
	case "com.atproto.repo.createRecord", "com.atproto.repo.applyWrites":
		return 3
	case "com.atproto.repo.putRecord":
		return 2
	}
	return 1
}

// ipPolicy is the RateLimit-Policy of a Bluesky PDS's limit of the IP
// address, which every request counts against: 3000 requests in 5
// minutes.
const ipPolicy = "3000;w=300"

// noteLimits records what the answer, with header h, to the request of
// the group key that reserved r said of its limit, and gives r back:
// RateLimit-Remaining, in points for the writes, is what is left until
// RateLimit-Reset (Unix seconds, by the answer's Date), counting the
// request; used up (0), it holds the group's next request until then, as
// the PDS would refuse it with a 429. A PDS's fields describe the tightest
// of the limits the request counted against, the IP address's included,
// and RateLimit-Policy names it: fields whose policy is the IP address's
// (ipPolicy) are its, in requests, and hold every request when used up
// (ratelimit.Every), a read too, not only the group's.
func (c *Channel) noteLimits(r *ratelimit.Reservation, key string, h http.Header) {
	local := c.s.now()
	if strings.TrimSpace(h.Get("RateLimit-Policy")) == ipPolicy {
		key = ratelimit.Every
	}
	r.Note(key, h.Get("RateLimit-Remaining"), local, func() (time.Duration, bool) {
		return httpx.ResetWait(h, "RateLimit-Reset", local)
	})
}

// reserveLimits waits until a request of the XRPC method nsid may be made
// by the limits of its group key and by the IP address's, which every
// request counts against: until they reset, if an answer said one has
// fewer points (or requests) left than the request costs, counting as
// spent the points of requests made and not yet answered; then it
// reserves the request's points, and its request of the IP address's
// limit, until its answer (noteLimits) or its failure (Release): two
// posts made together with points left for one do not both go, one into
// a 429, nor a read made with a write when the IP address has one
// request left (see ratelimit.Limits.Reserve).
func (c *Channel) reserveLimits(ctx context.Context, key, nsid string) (*ratelimit.Reservation, error) {
	keys := []string{key}
	if key != ratelimit.Every {
		keys = append(keys, ratelimit.Every)
	}
	return c.s.rate.Reserve(ctx, c.clock(), "the account's rate limit", cost(nsid), keys...)
}

// clock is what the channel's waits read the time and sleep with; Close
// ends its sleeps (httpx.Client.Sleeper).
func (c *Channel) clock() ratelimit.Clock {
	return ratelimit.Clock{Now: c.s.now, Sleep: c.s.client.Sleeper(c.s.sleep)}
}
