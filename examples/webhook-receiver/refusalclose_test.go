package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/serverlimits"
)

// A client that sent part of the body of a request refused on its
// headers alone (not a POST, or unsigned) reads the whole refusal and
// then the end of the connection: the receiver closes it as net/http
// closes one whose body limit was hit, its write side first (a FIN) and
// the socket a while later, not at once with the client's data unread,
// which makes the server's system reset the connection, and the client
// lose what of the answer it had not read yet (all of it, when the answer
// is larger than the client's receive buffer). The receiver's answers are
// short enough to reach the client before the reset, so what shows the
// careful close is the read after the answer: it meets the end of the
// stream (the FIN), where a connection closed at once meets "connection
// reset by peer". The client sends nothing more after the answer came, so
// that no write of its own takes the reset's error before that read.
func TestRefusalClosesCarefully(t *testing.T) {
	for _, c := range []struct {
		name   string
		head   string
		code   int
		length int // announced; 0: chunked
	}{
		{"not a POST", "PUT / HTTP/1.1\r\nHost: receiver\r\n", http.StatusMethodNotAllowed, 200 << 10},
		{"not a POST, large", "PUT / HTTP/1.1\r\nHost: receiver\r\n", http.StatusMethodNotAllowed, 4 << 20},
		{"not a POST, chunked", "PUT / HTTP/1.1\r\nHost: receiver\r\n", http.StatusMethodNotAllowed, 0},
		{"unsigned", "POST / HTTP/1.1\r\nHost: receiver\r\n", http.StatusUnauthorized, 200 << 10},
		{"unsigned, large", "POST / HTTP/1.1\r\nHost: receiver\r\n", http.StatusUnauthorized, 4 << 20},
		{"unsigned, chunked", "POST / HTTP/1.1\r\nHost: receiver\r\n", http.StatusUnauthorized, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", serve(t, only(func(*serverlimits.Timeouts) {})))
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(testDeadline))) // a guard: the test fails rather than hang
			head := c.head
			if c.length > 0 {
				head += fmt.Sprintf("Content-Length: %d\r\n\r\n", c.length)
			} else {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			}
			// The headers and the first of the body in one write: more
			// than the server reads ahead of the headers, so that some of
			// the body is unread when the server closes.
			part := strings.Repeat("x", 32<<10)
			if c.length == 0 {
				part = fmt.Sprintf("%x\r\n%s\r\n", len(part), part)
			}
			_, err = io.WriteString(conn, head+part)
			require.NoError(t, err)
			r := bufio.NewReader(conn)
			resp, err := http.ReadResponse(r, nil)
			require.NoError(t, err, "answered")
			_, err = io.ReadAll(resp.Body)
			require.NoError(t, err, "the whole answer")
			assert.Equal(t, c.code, resp.StatusCode)
			assert.True(t, resp.Close, "Connection: close")
			_, err = r.ReadByte()
			assert.ErrorIs(t, err, io.EOF, "the server's FIN after the answer, not a reset")
		})
	}
}
