package serverlimits

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CloseRefused closes the connection of a refusal whose body is unread,
// without waiting for that body, and keeps the connection of an answer
// to a request whose body was read, a refusal included, and of a request
// answered 2xx.
func TestCloseRefused(t *testing.T) {
	srv := httptest.NewServer(CloseRefused(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/read" {
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				t.Error(err)
			}
		}
		code := http.StatusOK
		if r.URL.Query().Has("refuse") {
			code = http.StatusBadRequest
		}
		w.WriteHeader(code)
		io.WriteString(w, "answer")
	})))
	defer srv.Close()
	for _, c := range []struct {
		path      string
		sendBody  bool
		code      int
		keepsConn bool
	}{
		{"/unread?refuse", false, http.StatusBadRequest, false},
		{"/read?refuse", true, http.StatusBadRequest, true},
		{"/read", true, http.StatusOK, true},
		{"/unread", true, http.StatusOK, true},
	} {
		t.Run(c.path, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second))) // a guard: the test fails rather than hang
			body := strings.Repeat("x", 1000)
			req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", c.path, len(body))
			if c.sendBody {
				req += body
			}
			_, err = io.WriteString(conn, req)
			require.NoError(t, err)
			r := bufio.NewReader(conn)
			resp, err := http.ReadResponse(r, nil)
			require.NoError(t, err, "answered")
			assert.Equal(t, c.code, resp.StatusCode)
			_, err = io.Copy(io.Discard, resp.Body)
			require.NoError(t, err)
			assert.Equal(t, !c.keepsConn, resp.Close, "Connection: close")
			if c.keepsConn {
				_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				require.NoError(t, err)
				resp, err := http.ReadResponse(r, nil)
				require.NoError(t, err, "the connection serves the next request")
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			} else {
				_, err = r.ReadByte()
				assert.ErrorIs(t, err, io.EOF, "the connection is closed")
			}
		})
	}
}

// A request that expects "100 Continue", answered 2xx without a look at
// its body, is answered at once, without a 100 and on a closed
// connection, as net/http answers it: the wrapper does not hide the
// request's body from the server, which would otherwise read that body
// (never asked for) before answering.
func TestCloseRefusedKeepsExpectContinue(t *testing.T) {
	srv := httptest.NewServer(CloseRefused(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "answer")
	})))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second))) // a guard: the test fails rather than hang
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the answer, not a 100")
	assert.True(t, resp.Close, "Connection: close")
}

// A handler that closes a body it did not read, with more of it left
// than the server reads after an answer, gets its connection closed, as
// net/http closes it: the rest of the body is never read as the next
// request.
func TestCloseRefusedBodyClosedEarly(t *testing.T) {
	var smuggled atomic.Bool
	srv := httptest.NewServer(CloseRefused(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer r.Body.Close()
		if r.URL.Path == "/smuggled" {
			smuggled.Store(true)
		}
		io.WriteString(w, "answer")
	})))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second))) // a guard: the test fails rather than hang
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"+
		"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err, "answered")
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	assert.True(t, resp.Close, "Connection: close")
	_, err = r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed")
	assert.False(t, smuggled.Load(), "the body was read as a request")
}

// The writer a handler gets offers what the server's does: io.ReaderFrom
// (net/http's fast path for files), http.Flusher, and through Unwrap
// what http.ResponseController reaches. An informational answer (1xx)
// before a refusal does not keep the refusal's connection open.
func TestCloseRefusedWriter(t *testing.T) {
	srv := httptest.NewServer(CloseRefused(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rf, isReaderFrom := w.(io.ReaderFrom)
		assert.True(t, isReaderFrom, "io.ReaderFrom")
		_, isFlusher := w.(http.Flusher)
		assert.True(t, isFlusher, "http.Flusher")
		assert.NoError(t, http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)), "ResponseController")
		if r.URL.Path == "/early-hints" {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if isReaderFrom {
			n, err := rf.ReadFrom(strings.NewReader("answer"))
			assert.NoError(t, err)
			assert.EqualValues(t, 6, n)
		}
	})))
	defer srv.Close()
	for _, c := range []struct {
		path  string
		code  int
		close bool
	}{
		{"/", http.StatusOK, false},
		{"/early-hints", http.StatusBadRequest, true}, // the body is not read
	} {
		t.Run(c.path, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second))) // a guard: the test fails rather than hang
			// The body is sent: a 2xx answer is left to the server, which reads it.
			_, err = io.WriteString(conn, "POST "+c.path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody")
			require.NoError(t, err)
			r := bufio.NewReader(conn)
			resp, err := http.ReadResponse(r, nil)
			require.NoError(t, err, "answered")
			if resp.StatusCode == http.StatusEarlyHints {
				resp, err = http.ReadResponse(r, nil)
				require.NoError(t, err, "answered")
			}
			defer resp.Body.Close()
			assert.Equal(t, c.code, resp.StatusCode)
			assert.Equal(t, c.close, resp.Close, "Connection: close")
			if c.code == http.StatusOK {
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				assert.Equal(t, "answer", string(b))
			}
		})
	}
}
