package bluesky

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// The RateLimit-Policy a 429 names is quoted in the error as any text of
// the server's is: one printable line, at most httpx.SnippetLimit bytes,
// redacted before it is cut. The header is the server's to write (Go's
// client takes up to 10 MB of headers): before, it was quoted whole into
// the error, and every log line and Report that shows it.
func TestRateLimitPolicyQuotedAsSnippet(t *testing.T) {
	policy := "5000;w=3600;\t\t" + strings.Repeat("q", 20000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).Unix()))
		w.Header().Set("RateLimit-Policy", policy)
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`)
	}))
	t.Cleanup(srv.Close)
	ch, err := New(testConfig(srv.URL))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	_, err = ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	_, ok := broadcast.RetryDelay(err)
	assert.True(t, ok, "rate limited until the reset")
	assert.Contains(t, err.Error(), "(policy 5000;w=3600; qqq")
	assert.NotContains(t, err.Error(), "\t")
	assert.Less(t, len(err.Error()), 2*httpx.SnippetLimit)
}
