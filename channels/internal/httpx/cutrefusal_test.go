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
// that would retry a 429 at once. That holds for the refusals judged by
// their status: a retried one (429, 5xx).
func TestDoRefusalWithBodyCutKeepsItsStatus(t *testing.T) {
	rd := redact.NewRedactor(redact.NewSecret("s3cr3t-token-value"))
	tests := []struct {
		status    int
		header    string
		permanent bool
		wait      time.Duration
	}{
		{http.StatusTooManyRequests, "Retry-After: 120\r\n", false, 120 * time.Second},
		{http.StatusServiceUnavailable, "Retry-After: 7\r\n", false, 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			u := cutAnswer(t, tt.status, tt.header, `{"error":"bad token s3cr3t-token-`)
			req, err := NewRequest(context.Background(), http.MethodPost, u, []byte("{}"), "application/json")
			require.NoError(t, err)
			resp, err := Do(Client{}, req, 0, rd)
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
	_, err = Do(Client{}, req, 0, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read response body")
	assert.False(t, broadcast.IsPermanent(err))
}

// A refusal that a channel judges by its body too (whose answer it is, a
// duplicate, a post already gone, a token to refresh) and whose body
// breaks off cannot be judged: it is a transient read error of Do, and a
// retry reads the answer whole. Returned Truncated, X's own 404 to a
// deletion, cut short, read as another server's page, and the Retract
// failed for good.
func TestDoRefusalJudgedByItsBodyCutIsAnError(t *testing.T) {
	rd := redact.NewRedactor(redact.NewSecret("s3cr3t-token-value"))
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusNotFound, http.StatusUnprocessableEntity} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			u := cutAnswer(t, status, "", `{"error":"bad token s3cr3t-token-value, and`)
			req, err := NewRequest(context.Background(), http.MethodDelete, u, nil, "")
			require.NoError(t, err)
			resp, err := Do(Client{}, req, 0, rd)
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.Contains(t, err.Error(), "read response body")
			assert.False(t, broadcast.IsPermanent(err))
			assert.NotContains(t, err.Error(), "s3cr3t-token-")
		})
	}
}
