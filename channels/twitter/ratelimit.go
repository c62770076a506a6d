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

// limitKeys names the limits a request to the endpoint key counts
// against, one for each of X's sets of fields (limitHeaders): the
// endpoint's window, and its 24-hour user and app limits, which X names
// on the answers of the endpoints they apply to (posts). A limit no
// answer spoke of holds nothing.
func limitKeys(key string) []string {
	keys := make([]string, len(limitHeaders))
	for i, prefix := range limitHeaders {
		keys[i] = key
		if i > 0 {
			keys[i] = key + " " + prefix
		}
	}
	return keys
}

// noteLimits records what X's answer, with header h, to the request to
// the endpoint key that reserved r said of its limits, and gives r back:
// each of X's sets of fields (limitHeaders) says what its limit has left
// until its reset (Unix seconds, by X's Date). A limit used up (remaining
// 0) holds the endpoint's next request until its reset, as X would refuse
// it with a 429; one with fewer left than the requests made meanwhile
// holds the request beyond them (see ratelimit.Reservation.NoteEach).
func (c *Channel) noteLimits(r *ratelimit.Reservation, key string, h http.Header) {
	local := c.now()
	keys := limitKeys(key)
	said := make([]ratelimit.Said, len(limitHeaders))
	for i, prefix := range limitHeaders {
		said[i] = ratelimit.Said{Key: keys[i], Remaining: h.Get(prefix + "-remaining"),
			Reset: func() (time.Duration, bool) { return httpx.ResetWait(h, prefix+"-reset", local) }}
	}
	r.NoteEach(local, said...)
}

// reserveLimits waits until a request to the endpoint key may be made:
// until its limits reset, if an answer said one was used up, or has no
// more left than requests made and not yet answered; then it reserves the
// request until its answer (noteLimits) or its failure (Release), so that
// two posts made together with one left do not both go, one into a 429
// (see ratelimit.Limits.Reserve). Close ends the wait (httpx.Client.Sleeper).
func (c *Channel) reserveLimits(ctx context.Context, key string) (*ratelimit.Reservation, error) {
	return c.limits.Reserve(ctx, ratelimit.Clock{Now: c.now, Sleep: c.client.Sleeper(c.sleep)}, "the endpoint's limit", 1, limitKeys(key)...)
}
