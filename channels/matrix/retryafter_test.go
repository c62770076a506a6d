package matrix

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// retry_after_ms is a JSON number: a homeserver (or a proxy in its place)
// may write it with a fraction or an exponent, or beyond 64 bits. The wait
// it names is kept, as is the rest of the error body.
func TestRetryAfterMSAnyNumber(t *testing.T) {
	for _, tt := range []struct {
		name string
		ms   string
		wait time.Duration
	}{
		{"fraction", "1500.5", 1501 * time.Millisecond},
		{"exponent", "2e3", 2 * time.Second},
		{"exponent with sign", "2.5E+3", 2500 * time.Millisecond},
		{"integer beyond 64 bits", "100000000000000000000000", httpx.MaxRetryAfter},
		{"beyond a float64", "1e400", httpx.MaxRetryAfter},
		{"negative", "-1500.5", httpx.RateLimitWait},
		{"zero", "0.0", httpx.RateLimitWait},
		{"not a number", `"soon"`, httpx.RateLimitWait},
		{"null", "null", httpx.RateLimitWait},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch := newTestChannel(t, confConfig("https://matrix.example.org"))
			body := `{"retry_after_ms":` + tt.ms + `,"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests"}`
			err := ch.classify(&httpx.Response{Status: http.StatusTooManyRequests, Header: http.Header{}, Body: []byte(body)}, time.Now())
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err))
			wait, ok := broadcast.RetryDelay(err)
			assert.True(t, ok)
			assert.Equal(t, tt.wait, wait, "RetryDelay(%v)", err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, Error{429, "M_LIMIT_EXCEEDED", "Too Many Requests"}, *e)
		})
	}
}
