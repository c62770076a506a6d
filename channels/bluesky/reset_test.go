package bluesky

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A 429 waits until RateLimit-Reset (Unix seconds: atproto's
// packages/xrpc-server/src/rate-limiter.ts), rounded up to a whole second,
// as every channel reads a reset (httpx.ResetWait): a retry a fraction of
// a second before the reset would only be refused again.
func TestRateLimitWaitsUntilTheReset(t *testing.T) {
	ch, err := New(testConfig(""))
	require.NoError(t, err)
	ch.s.now = func() time.Time { return fixedNow.Add(600 * time.Millisecond) }
	h := http.Header{"Ratelimit-Reset": {strconv.FormatInt(fixedNow.Add(2*time.Second).Unix(), 10)}}
	err = ch.classify(opPost, &httpx.Response{Status: 429, Header: h,
		Body: []byte(`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`)}, nil)
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, 2*time.Second, d, "1.4s away: %v", err)
	assert.NotContains(t, err.Error(), "policy", "no policy named, none shown")
}
