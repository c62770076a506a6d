package mastodon

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
)

// maxLimitWait caps a hold of a rate limit: Mastodon's longest window is
// the 3 hours of its limit on posting statuses, so a later reset is a
// bogus header, not a limit.
const maxLimitWait = 3 * time.Hour

// limitGroup names the rate limit a request to path counts against, which
// the X-RateLimit-* fields of its answer describe. Mastodon counts per
// account: posting statuses (and editing them) has a limit of its own
// (300 in 3 hours), deleting them another (30 in 30 minutes), uploading
// media another (30 in 30 minutes), and every request counts against the
// account's general limit (300 in 5 minutes): that one, used up, holds
// every request (ratelimit.Every).
func limitGroup(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	rest, status := strings.CutPrefix(path, "/api/v1/statuses")
	switch {
	case status && method == http.MethodPost && rest == "":
		return "statuses"
	case status && method == http.MethodPut && strings.Count(rest, "/") == 1:
		return "statuses"
	case status && method == http.MethodDelete && strings.Count(rest, "/") == 1:
		return "delete"
	case strings.HasPrefix(path, "/api/v1/media") || strings.HasPrefix(path, "/api/v2/media"):
		return "media"
	}
	return ratelimit.Every
}

// generalWindow is the window of Mastodon's general limit (and of
// GoToSocial's, its only one), which every request counts against: it
// resets at most this long after an answer, plus generalSlack for the
// rounding of the answer's Date to a second and of the wait up to one.
const (
	generalWindow = 5 * time.Minute
	generalSlack  = 5 * time.Second
)

// noteLimits records what the answer, with header h, to a request of the
// group key that reserved r said of its limit, and gives r back: used up (X-RateLimit-Remaining: 0), it
// holds the group's next request until X-RateLimit-Reset (Mastodon's ISO
// 8601 time, GoToSocial's Unix seconds, by the answer's Date), as the
// instance would refuse it with a 429. The fields describe whichever of
// the group's limit and the general one has fewer left, and do not say
// which: a "0" whose reset is within the general limit's window may be the
// general limit used up, and holds every request too; one resetting later
// is the group's own (the 3-hour limit of statuses, the 30 minutes of
// deletions or media) and holds only the group.
func (c *Channel) noteLimits(r *ratelimit.Reservation, key string, h http.Header) {
	local := c.s.now()
	r.Note(key, h.Get("X-RateLimit-Remaining"), local, func() (time.Duration, bool) {
		return httpx.ResetWait(h, "X-RateLimit-Reset", local)
	})
	if key == ratelimit.Every {
		return
	}
	if usedUp, _ := ratelimit.Remaining(h.Get("X-RateLimit-Remaining")); !usedUp {
		return
	}
	if d, ok := httpx.ResetWait(h, "X-RateLimit-Reset", local); ok && d <= generalWindow+generalSlack {
		c.s.rate.Hold(ratelimit.Every, local, d)
	}
}

// reserveLimits waits until a request of the group key may be made:
// until its limits reset, if an answer said one was used up, or has no
// more left than requests made and not yet answered; then it reserves the
// request until its answer (noteLimits) or its failure (Release), so that
// two requests made together with one left do not both go, one into a
// 429 (see ratelimit.Limits.Reserve).
func (c *Channel) reserveLimits(ctx context.Context, key string) (*ratelimit.Reservation, error) {
	return c.s.rate.Reserve(ctx, ratelimit.Clock{Now: c.s.now, Sleep: c.s.sleep}, "the account's rate limit", 1, key)
}
