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
// media (POST /api/v1/media, /api/v2/media) another (30 in 30 minutes),
// and every request counts against the
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
	case method == http.MethodPost && mediaUpload(path):
		return "media"
	}
	return ratelimit.Every
}

// mediaUpload reports whether path is that of a media upload, which
// Mastodon counts against its media limit when POSTed: /api/v1/media,
// /api/v2/media (any version, any case; its rack-attack rule
// \A/api/v\d+/media\z). Reading or updating an upload
// (/api/v1/media/:id) counts against the general limit only.
func mediaUpload(path string) bool {
	rest, ok := strings.CutPrefix(strings.ToLower(path), "/api/v")
	if !ok {
		return false
	}
	version, ok := strings.CutSuffix(rest, "/media")
	return ok && version != "" && strings.Trim(version, "0123456789") == ""
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
// group key that reserved r said of its limits, and gives r back: used
// up (X-RateLimit-Remaining: 0), it holds the group's next request until
// X-RateLimit-Reset (Mastodon's ISO 8601 time, GoToSocial's Unix seconds,
// by the answer's Date), as the instance would refuse it with a 429; with
// some left, it is the fewest the group has left until then. The fields
// describe whichever of the group's limit and the general one has fewer
// left, and do not say which: what they say with a reset within the
// general limit's window may be the general limit's (see mayBeGeneral),
// and counts for it too (a "0" holds every request); one resetting later
// is the group's own (the 3-hour limit of statuses, the 30 minutes of
// deletions or media) and counts only for the group.
func (c *Channel) noteLimits(r *ratelimit.Reservation, key string, h http.Header) {
	local := c.s.now()
	reset := func() (time.Duration, bool) { return httpx.ResetWait(h, "X-RateLimit-Reset", local) }
	remaining := h.Get("X-RateLimit-Remaining")
	said := []ratelimit.Said{{Key: key, Remaining: remaining, Reset: reset}}
	if d, ok := reset(); ok && key != ratelimit.Every && d <= generalWindow+generalSlack && mayBeGeneral(key, h) {
		said = append(said, ratelimit.Said{Key: ratelimit.Every, Remaining: remaining, Reset: reset})
	}
	r.NoteEach(local, said...)
}

// mayBeGeneral reports whether the X-RateLimit-* fields h of an answer to
// a request of the group key, resetting within the general limit's
// window, may be the general limit's. Mastodon's are not when
// X-RateLimit-Limit is 30 on a deletion or a media upload: that is the
// group's own limit (30 in 30 minutes), which neither general limit (300
// requests a token, 1,500 an account, in 5 minutes) has. Otherwise they
// may be: Mastodon counts every limit in periods from the Unix epoch
// (rack-attack for the general ones, RateLimiter for the 300 statuses in
// 3 hours), so a reset within 5 minutes, on a 5-minute boundary, does not
// tell the limit of statuses from the general one, both 300. GoToSocial's
// (Unix seconds) are its one limit's, the general one.
func mayBeGeneral(key string, h http.Header) bool {
	own := key == "delete" || key == "media"
	return !own || strings.TrimSpace(h.Get("X-RateLimit-Limit")) != "30" ||
		!strings.ContainsRune(h.Get("X-RateLimit-Reset"), 'T') // GoToSocial's Unix seconds
}

// reserveLimits waits until a request of the group key may be made:
// until its limits, its group's and the general one, reset, if an answer
// said one was used up, or has no more left than requests made and not
// yet answered; then it reserves the request of both until its answer
// (noteLimits) or its failure (Release), so that two requests made
// together with one left do not both go, one into a 429, requests of
// different groups counting alike against the general limit (see
// ratelimit.Limits.Reserve).
func (c *Channel) reserveLimits(ctx context.Context, key string) (*ratelimit.Reservation, error) {
	keys := []string{key}
	if key != ratelimit.Every {
		keys = append(keys, ratelimit.Every)
	}
	return c.s.rate.Reserve(ctx, ratelimit.Clock{Now: c.s.now, Sleep: c.s.client.Sleeper(c.s.sleep)}, "the account's rate limit", 1, keys...)
}
