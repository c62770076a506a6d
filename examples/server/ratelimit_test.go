package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A tool posting in a loop, each update new, must not reach every channel
// each time.
func TestLoopingClientIsRefused(t *testing.T) {
	ta := newTestAPI()
	codes := map[int]int{}
	for i := range 100 {
		rec := ta.do("POST", "/v1/updates", fmt.Sprintf(`{"title": "CDN errors %d", "status": "investigating"}`, i))
		codes[rec.Code]++
	}
	assert.Equal(t, map[int]int{http.StatusAccepted: defaultRateBurst, http.StatusTooManyRequests: 100 - defaultRateBurst}, codes)
}

// stopClock makes ta's limits read the time from the returned pointer.
func stopClock(ta *testAPI, perMinute, burst int) *time.Time {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ta.limits = newLimits(perMinute, burst)
	ta.limits.now = func() time.Time { return now }
	return &now
}

// Each token has its own budget of updates: a burst, then one per
// 60/perMinute seconds. Over it, a request is answered 429 with
// Retry-After (RFC 6585, 4: "MAY include a Retry-After header indicating
// how long to wait") and a problem document, before its body is read, and
// queues nothing; reads are not limited.
func TestRateLimitPerToken(t *testing.T) {
	ta := newTestAPI()
	now := stopClock(ta, 6, 3)
	post := func(i int, header ...string) int {
		return ta.do("POST", "/v1/updates", fmt.Sprintf(`{"title": "CDN errors %d", "status": "investigating"}`, i), header...).Code
	}
	first := ta.do("POST", "/v1/updates", `{"title": "CDN errors", "status": "investigating"}`)
	require.Equal(t, http.StatusAccepted, first.Code)
	self := first.Header().Get("Location")
	for i := range 2 {
		require.Equal(t, http.StatusAccepted, post(i))
	}
	queued := ta.be.queued()
	rec := ta.do("POST", "/v1/updates", `{"title": "CDN errors 3", "status": "investigating"}`)
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "10", rec.Header().Get("Retry-After"))
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"type": "about:blank", "title": "Too Many Requests", "status": 429,
		"detail": "too many updates from this token (at most 6 updates a minute after a burst of 3): nothing was queued; send it again in 10s"}`,
		rec.Body.String())
	assert.Equal(t, queued, ta.be.queued())
	// The same token however the header spells it.
	assert.Equal(t, http.StatusTooManyRequests, post(3, "Authorization", "bearer   "+newToken+" "))
	// Corrections and retractions count too; reads do not.
	assert.Equal(t, http.StatusTooManyRequests, ta.do("POST", self+"/retract", "").Code)
	assert.Equal(t, http.StatusTooManyRequests, ta.do("POST", self+"/correct", correction).Code)
	assert.Equal(t, http.StatusOK, ta.do("GET", self, "").Code)
	// Another token, another client.
	assert.Equal(t, http.StatusAccepted, post(4, "Authorization", "Bearer "+oldToken))
	// Requests refused 429 cost nothing: one more update 10s later.
	*now = now.Add(9 * time.Second)
	assert.Equal(t, "1", ta.do("POST", "/v1/updates", `{"title": "x", "status": "investigating"}`).Header().Get("Retry-After"))
	*now = now.Add(time.Second)
	assert.Equal(t, http.StatusAccepted, post(5))
	assert.Equal(t, http.StatusTooManyRequests, post(6))
	// A request without a valid token is refused before it counts.
	assert.Equal(t, http.StatusUnauthorized, post(7, "Authorization", "Bearer not-"+newToken))
}

func TestNoRateLimit(t *testing.T) {
	ta := newTestAPI()
	ta.limits = newLimits(0, 0)
	for i := range 3 * defaultRateBurst {
		require.Equal(t, http.StatusAccepted, ta.do("POST", "/v1/updates", fmt.Sprintf(`{"title": "CDN errors %d", "status": "investigating"}`, i)).Code)
	}
}

// The limits keep one limiter per token that posted, however many
// requests, and none for a request refused for its token.
func TestRateLimitersAreBoundedByTheTokens(t *testing.T) {
	ta := newTestAPI()
	for i := range 50 {
		for _, tok := range []string{oldToken, newToken, fmt.Sprintf("other-token-%016d", i)} {
			ta.do("POST", "/v1/updates", `{"title": "x", "status": "investigating"}`, "Authorization", "Bearer "+tok)
		}
	}
	assert.Len(t, ta.limits.clients, 2)
}
