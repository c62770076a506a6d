package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// cutAnswer answers with status, header lines and a body that breaks off
// after partial, as cutbody does, with headers of its own.
func cutAnswer(t *testing.T, status int, header, partial string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\n\r\n%s",
			status, http.StatusText(status), header, len(partial)+500, partial)
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A refusal whose body breaks off is still the refusal its status says:
// Do returns what arrived, Truncated, and Classify keeps the verdict of
// the status and its Retry-After, rather than a transient read error
// that would retry a 401 for good and a 429 at once.
func TestDoRefusalWithBodyCutKeepsItsStatus(t *testing.T) {
	rd := redact.NewRedactor(redact.NewSecret("s3cr3t-token-value"))
	tests := []struct {
		status    int
		header    string
		permanent bool
		wait      time.Duration
	}{
		{http.StatusUnauthorized, "", true, 0},
		{http.StatusTooManyRequests, "Retry-After: 120\r\n", false, 120 * time.Second},
		{http.StatusServiceUnavailable, "Retry-After: 7\r\n", false, 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			u := cutAnswer(t, tt.status, tt.header, `{"error":"bad token s3cr3t-token-`)
			req, err := NewRequest(context.Background(), http.MethodPost, u, []byte("{}"), "application/json")
			require.NoError(t, err)
			resp, err := Do(nil, req, 0, rd)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.Status)
			assert.True(t, resp.Truncated)
			assert.NotContains(t, string(resp.Body), "s3cr3t-token-")
			cerr := Classify(resp)
			require.Error(t, cerr)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(cerr))
			d, ok := broadcast.RetryDelay(cerr)
			assert.Equal(t, tt.wait != 0, ok)
			assert.Equal(t, tt.wait, d)
		})
	}
}

// A 2xx whose body breaks off is still an error of Do: the channel needs
// that body (the post's id), and has not got it.
func TestDoSuccessWithBodyCutIsAnError(t *testing.T) {
	u := cutAnswer(t, http.StatusOK, "", `{"id":"12`)
	req, err := NewRequest(context.Background(), http.MethodPost, u, []byte("{}"), "application/json")
	require.NoError(t, err)
	_, err = Do(nil, req, 0, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read response body")
	assert.False(t, broadcast.IsPermanent(err))
}
