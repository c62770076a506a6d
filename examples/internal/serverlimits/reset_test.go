package serverlimits

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A client that keeps sending the body of a request refused without it
// reads the whole refusal, status and body, before the connection
// closes: the server closes it as net/http closes one whose body limit
// was hit (its write side first, then, a while later, the rest), not at
// once with the client's data unread, which makes the client's system
// reset the connection and drop the answer it had not read yet. The
// answer is larger than the client's receive buffer, so that part of it
// is still in the server's send buffer when the server closes: a reset
// drops it. The "large" case was closed carefully before too (net/http
// does it for a body closed with more than 256 KiB unread); the others,
// a 413 after the handler's http.MaxBytesReader among them, were not.
func TestCloseRefusedAnswerReachesSendingClient(t *testing.T) {
	const limit = 1 << 20
	// An answer larger than the client's receive buffer: part of it is
	// still in the server's send buffer when the connection closes.
	message := strings.Repeat("refused ", 256<<10)
	srv := httptest.NewServer(CloseRefused(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/limit" {
			_, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, limit))
			if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
				http.Error(w, "too large "+message, http.StatusRequestEntityTooLarge)
				return
			}
			t.Errorf("read %v, want the limit hit", err)
		}
		http.Error(w, message, http.StatusUnauthorized)
	})))
	defer srv.Close()
	for _, c := range []struct {
		name    string
		path    string
		length  int // announced; 0: chunked
		code    int
		message string // what the answer's body starts with
	}{
		{"small", "/", 200 << 10, http.StatusUnauthorized, ""},
		{"large", "/", 4 << 20, http.StatusUnauthorized, ""},
		{"chunked", "/", 0, http.StatusUnauthorized, ""},
		{"limit", "/limit", limit + 200<<10, http.StatusRequestEntityTooLarge, "too large "},
		{"limit-chunked", "/limit", 0, http.StatusRequestEntityTooLarge, "too large "},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(64<<10))
			var wg sync.WaitGroup
			defer wg.Wait()
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second))) // a guard: the test fails rather than hang
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\n", c.path)
			if c.length > 0 {
				head += fmt.Sprintf("Content-Length: %d\r\n\r\n", c.length)
			} else {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			}
			_, err = io.WriteString(conn, head)
			require.NoError(t, err)
			wg.Add(1)
			go func() { // the body, as fast as it goes; the server stops it
				defer wg.Done()
				chunk := strings.Repeat("x", 32<<10)
				if c.length == 0 {
					chunk = fmt.Sprintf("%x\r\n%s\r\n", len(chunk), chunk)
				}
				for sent := 0; sent < 4<<20; sent += len(chunk) {
					if _, err := io.WriteString(conn, chunk); err != nil {
						return
					}
				}
			}()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err, "answered")
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err, "the whole answer")
			assert.Equal(t, c.code, resp.StatusCode)
			assert.Equal(t, c.message+message+"\n", string(b))
			assert.True(t, resp.Close, "Connection: close")
		})
	}
}
