package httpx

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// newServer answers with a body of the size in the "n" query parameter and
// counts the connections clients open.
func newServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if code, _ := strconv.Atoi(r.URL.Query().Get("code")); code != 0 {
			if code/100 == 3 {
				w.Header().Set("Location", "/elsewhere")
			}
			w.WriteHeader(code)
		}
		_, _ = io.WriteString(w, strings.Repeat("x", n))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func newTestClient(t *testing.T) *http.Client {
	c := NewClient(ClientOptions{})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func get(t *testing.T, c *http.Client, u string, limit int64) (*Response, error) {
	req, err := NewRequest(context.Background(), http.MethodGet, u, nil, "")
	require.NoError(t, err)
	return Do(Client{Client: c}, req, limit, nil)
}

func TestDoBodyLimit(t *testing.T) {
	srv, _ := newServer(t)
	c := newTestClient(t)
	tests := []struct {
		name      string
		size      int
		limit     int64
		wantLen   int
		truncated bool
	}{
		{"empty", 0, 10, 0, false},
		{"under", 5, 10, 5, false},
		{"exactly", 10, 10, 10, false},
		{"over", 11, 10, 10, true},
		{"default limit", DefaultBodyLimit + 1, 0, DefaultBodyLimit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := get(t, c, srv.URL+"/?n="+strconv.Itoa(tt.size), tt.limit)
			require.NoError(t, err)
			assert.Equal(t, 200, resp.Status)
			assert.Len(t, resp.Body, tt.wantLen)
			assert.Equal(t, tt.truncated, resp.Truncated)
		})
	}
}

func TestDoReusesConnections(t *testing.T) {
	srv, conns := newServer(t)
	c := newTestClient(t)
	// Bodies read in full, cut by the limit but drained, and error statuses
	// all leave the connection reusable.
	for _, q := range []string{"n=0", "n=100", "n=5000", "n=20000&code=503", "n=3&code=404", "code=302", "n=100"} {
		resp, err := get(t, c, srv.URL+"/?"+q, 1000)
		require.NoError(t, err, q)
		assert.NotZero(t, resp.Status)
	}
	assert.Equal(t, int64(1), conns.Load(), "connections opened")
}

func TestDoOversizedBodyIsNotDrainedForever(t *testing.T) {
	srv, conns := newServer(t)
	c := newTestClient(t)
	for range 2 {
		resp, err := get(t, c, srv.URL+"/?n="+strconv.Itoa(DrainLimit+2000), 1000)
		require.NoError(t, err)
		assert.True(t, resp.Truncated)
	}
	assert.Equal(t, int64(2), conns.Load(), "a body beyond the drain limit closes its connection")
}

func TestNewClientDoesNotFollowRedirects(t *testing.T) {
	srv, _ := newServer(t)
	resp, err := get(t, newTestClient(t), srv.URL+"/?code=301", 0)
	require.NoError(t, err)
	assert.Equal(t, 301, resp.Status)
	assert.True(t, broadcast.IsPermanent(Classify(resp)))
}

func TestDoTransportErrorIsTransientAndRedacted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now

	resp, err := get(t, newTestClient(t), "http://user:hunter2@"+addr+"/hook?token=abc123", 0)
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.False(t, broadcast.IsPermanent(err))
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NotContains(t, err.Error(), "abc123")
	assert.NotContains(t, err.Error(), "user:")
	assert.Contains(t, err.Error(), "/…?…")
	var ne net.Error
	assert.True(t, errors.As(err, &ne), "the cause stays inspectable")
}

func TestDoHonoursContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })
	ctx, cancel := context.WithCancel(context.Background())
	req, err := NewRequest(ctx, http.MethodPost, srv.URL+"/?token=abc", []byte("{}"), "application/json")
	require.NoError(t, err)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	cancel()
	_, err = Do(Client{Client: newTestClient(t)}, req, 0, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, err.Error(), "abc")
}

func TestNewRequest(t *testing.T) {
	req, err := NewRequest(context.Background(), http.MethodPost, "https://u:p@h.example/x?y=1", []byte("body"), "text/plain")
	require.NoError(t, err)
	assert.Equal(t, "h.example", req.Host)
	assert.Equal(t, int64(4), req.ContentLength)
	require.NotNil(t, req.GetBody, "the body can be sent again")
	b, err := req.GetBody()
	require.NoError(t, err)
	got, _ := io.ReadAll(b)
	assert.Equal(t, "body", string(got))

	_, err = NewRequest(context.Background(), http.MethodPost, "https://u:secretpw@h.example/%zz", nil, "")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secretpw")
	_, err = NewRequest(context.Background(), "BAD METHOD", "https://h.example/", nil, "")
	require.Error(t, err)
}

// A 3xx's body, which repeats where the redirect points (a path or query
// that may hold a token no Redactor knows), reaches no channel: Do and
// DoStatus drop it, so that no error quotes it.
func TestRedirectBodyIsDropped(t *testing.T) {
	const tok = "sig-5d1e9c"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://cdn.example/x?sig="+tok)
		w.WriteHeader(http.StatusFound)
		_, _ = io.WriteString(w, "Redirecting to https://cdn.example/x?sig="+tok)
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t)
	for name, do := range map[string]func(*http.Request) (*Response, error){
		"Do":       func(req *http.Request) (*Response, error) { return Do(Client{Client: c}, req, 0, nil) },
		"DoStatus": func(req *http.Request) (*Response, error) { return DoStatus(Client{Client: c}, req, 0, 0, nil) },
	} {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		resp, err := do(req)
		require.NoError(t, err, name)
		assert.Equal(t, http.StatusFound, resp.Status, name)
		assert.Empty(t, resp.Body, name)
		assert.NotContains(t, Classify(resp).Error(), tok, name)
		assert.Equal(t, "https://cdn.example/…?…", resp.Location, name)
		assert.ErrorContains(t, Classify(resp), "redirect to https://cdn.example/…?… not followed", name)
	}
}

// A limit too large to exceed (math.MaxInt64: no limit at all) reads the
// whole body: the byte past the limit that tells a cut body from a whole
// one must not overflow the limit into reading nothing.
func TestNoLimitReadsTheWholeBody(t *testing.T) {
	srv, _ := newServer(t)
	c := newTestClient(t)
	r, err := get(t, c, srv.URL+"/?n=10", math.MaxInt64)
	require.NoError(t, err)
	assert.Equal(t, "xxxxxxxxxx", string(r.Body))
	assert.False(t, r.Truncated)

	req, err := NewRequest(context.Background(), http.MethodGet, srv.URL+"/?n=10&code=500", nil, "")
	require.NoError(t, err)
	r, err = DoStatus(Client{Client: c}, req, math.MaxInt64, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, "xxxxxxxxxx", string(r.Body))
	assert.False(t, r.Truncated)
}
