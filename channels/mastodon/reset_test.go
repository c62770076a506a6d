package mastodon

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

// A 429 waits until X-RateLimit-Reset, rounded up to a whole second, as
// every channel reads a reset (httpx.ResetWait): a retry a fraction of a
// second before the reset would only be refused again. Mastodon sends an
// ISO 8601 time with microseconds, GoToSocial Unix seconds
// (https://docs.joinmastodon.org/api/rate-limits/).
func TestRateLimitWaitsUntilTheReset(t *testing.T) {
	tests := []struct {
		name  string
		reset string
		want  time.Duration
	}{
		{"ISO 8601, 1.4s away", fixedNow.Add(1400 * time.Millisecond).Format("2006-01-02T15:04:05.000000Z"), 2 * time.Second},
		{"ISO 8601, 0.3s away", fixedNow.Add(300 * time.Millisecond).Format("2006-01-02T15:04:05.000000Z"), time.Second},
		{"Unix seconds, 1.4s away by this machine's clock", strconv.FormatInt(fixedNow.Add(2*time.Second).Unix(), 10), 2 * time.Second},
	}
	ch, err := New(testConfig("https://mastodon.example"))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := fixedNow
			if _, err := strconv.Atoi(tt.reset); err == nil {
				now = fixedNow.Add(600 * time.Millisecond)
			}
			ch.s.now = func() time.Time { return now }
			h := http.Header{"X-Ratelimit-Reset": {tt.reset}}
			err := ch.classify(opPost, &httpx.Response{Status: 429, Header: h, Body: []byte(`{"error":"Too many requests"}`)})
			d, ok := broadcast.RetryDelay(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tt.want, d, "%v", err)
		})
	}
}
