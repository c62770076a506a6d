package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// silent reads the request and answers nothing until the client goes away.
func silent(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

// assertTimeout checks err is the transient timeout a client's Timeout
// gives: a *url.Error without the URL's secrets, a net.Error whose
// Timeout is true, matching context.DeadlineExceeded.
func assertTimeout(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, context.Canceled)
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.Timeout())
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestDoStatusTimeout(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		kind    bodyKind
		timeout time.Duration // of the client, or given to DoStatusTimeout
		client  bool          // the client's own Timeout
	}{
		{"silent server, timeout given", 0, nil, 100 * time.Millisecond, false},
		{"silent server, client's Timeout", 0, nil, 100 * time.Millisecond, true},
		// The status must arrive within the timeout: a second, so that a
		// loaded machine does not time the headers out instead.
		{"endless 2xx body, timeout given", http.StatusOK, endless, time.Second, false},
		{"endless 2xx body, client's Timeout", http.StatusOK, endless, time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *httptest.Server
			if tt.status == 0 {
				srv = httptest.NewServer(http.HandlerFunc(silent))
				t.Cleanup(srv.Close)
			} else {
				srv = newBodyServer(t, tt.status, tt.kind).Server
			}
			c := newTestClient(t)
			c.Timeout = 0
			timeout := tt.timeout
			if tt.client {
				c.Timeout, timeout = tt.timeout, 0
			}
			// The request's context and the body wait give far more: a test
			// that passes shows the timeout at work.
			ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
			defer cancel()
			u := "http://user:hunter2@" + srv.Listener.Addr().String() + "/"
			req, err := NewRequest(ctx, http.MethodPost, u, []byte(`{}`), "application/json")
			require.NoError(t, err)
			resp, err := DoStatusTimeout(Client{Client: c}, req, 0, testDeadline, timeout, nil)
			require.NoError(t, ctx.Err(), "returned before the request's deadline")
			if tt.status == 0 {
				assertTimeout(t, err)
				assert.Nil(t, resp)
				return
			}
			require.NoError(t, err, "the status arrived")
			assert.Equal(t, tt.status, resp.Status)
			assert.True(t, resp.Truncated, "the body is cut by the timeout")
		})
	}
}

// TestCallerCancelIsNoTimeout: a request its own context ends is not
// reported as a timeout.
func TestCallerCancelIsNoTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(silent))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := NewRequest(ctx, http.MethodPost, srv.URL, nil, "")
	require.NoError(t, err)
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = DoStatusTimeout(Client{Client: newTestClient(t)}, req, 0, 0, testDeadline, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	var te timeoutError
	assert.False(t, errors.As(err, &te))
}
