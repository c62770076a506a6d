// Package serverlimitstest checks from an example program's tests that a
// request the program refuses is answered before the body it announces
// arrives, and its connection closed after the answer.
package serverlimitstest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AnsweredBeforeBody sends the server at addr head, a request line and
// header fields each ending in "\r\n", with a Content-Length of 100,000
// and no body, and checks that the answer comes all the same, with status
// want, and that the server closes the connection after it. A guard of
// 10 seconds, below the programs' read timeouts, fails the test rather
// than let it hang.
func AnsweredBeforeBody(t *testing.T, addr, head string, want int) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(conn, head+"Content-Length: 100000\r\n\r\n")
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err, "answered before the body came")
	assert.Equal(t, want, resp.StatusCode)
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	_, err = r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed")
}
