package httpx

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// ResetWait reads a rate limit's reset time as each platform sends it:
// X's x-rate-limit-reset is "Unix timestamp when the limit resets"
// (https://docs.x.com/fundamentals/rate-limits); Mastodon's
// X-RateLimit-Reset is an ISO 8601 timestamp
// (https://docs.joinmastodon.org/api/rate-limits/), GoToSocial's Unix
// seconds; Bluesky's RateLimit-Reset is Unix seconds (atproto
// packages/xrpc-server/src/rate-limiter.ts). The wait is measured from the
// answer's Date and rounded up to a whole second: a retry before the
// reset would only be refused again.
func TestResetWait(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	unix := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name  string
		value string
		date  time.Time // of the answer; zero: none
		now   time.Time // this machine's clock; zero: now
		want  time.Duration
		ok    bool
	}{
		{"Unix seconds", unix(90 * time.Second), time.Time{}, time.Time{}, 90 * time.Second, true},
		{"RFC 3339", now.Add(5 * time.Minute).Format("2006-01-02T15:04:05.000000Z"), time.Time{}, time.Time{}, 5 * time.Minute, true},
		{"RFC 3339 with an offset", now.Add(time.Minute).In(time.FixedZone("", 3600)).Format(time.RFC3339), time.Time{}, time.Time{}, time.Minute, true},
		{"measured from the server's Date", unix(90 * time.Second), now, now.Add(-10 * time.Minute), 90 * time.Second, true},
		// The reset is 0.4s away by this machine's clock: waiting 0s (X)
		// or 30s (RateLimitWait) is wrong, and so is a retry before it.
		{"a reset in under half a second", unix(time.Second), time.Time{}, now.Add(600 * time.Millisecond), time.Second, true},
		{"a reset 1.4s away", unix(2 * time.Second), time.Time{}, now.Add(600 * time.Millisecond), 2 * time.Second, true},
		{"capped", unix(100 * 24 * time.Hour), time.Time{}, time.Time{}, MaxRetryAfter, true},
		{"far beyond any time", "99999999999999999", time.Time{}, time.Time{}, MaxRetryAfter, true},
		// Past what time.Unix can hold: a broken or hostile header is
		// capped as any far reset is, not read as a reset long gone.
		{"the largest int64", "9223372036854775807", time.Time{}, time.Time{}, MaxRetryAfter, true},
		{"beyond int64", "99999999999999999999", time.Time{}, time.Time{}, MaxRetryAfter, true},
		{"the reset is now", unix(0), time.Time{}, time.Time{}, 0, false},
		{"the reset passed", unix(-time.Second), time.Time{}, time.Time{}, 0, false},
		{"zero", "0", time.Time{}, time.Time{}, 0, false},
		{"negative", "-5", time.Time{}, time.Time{}, 0, false},
		{"missing", "", time.Time{}, time.Time{}, 0, false},
		{"not a time", "soon", time.Time{}, time.Time{}, 0, false},
		{"delta seconds are not a reset time", "30", time.Time{}, time.Time{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("X-RateLimit-Reset", tt.value)
			}
			if !tt.date.IsZero() {
				h.Set("Date", tt.date.Format(http.TimeFormat))
			}
			at := tt.now
			if at.IsZero() {
				at = now
			}
			got, ok := ResetWait(h, "X-RateLimit-Reset", at)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
