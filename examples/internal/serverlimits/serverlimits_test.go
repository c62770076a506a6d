package serverlimits

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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
