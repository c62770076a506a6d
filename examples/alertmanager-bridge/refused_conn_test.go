package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A request refused for its credentials is answered before its body is
// read, as the package doc says, and its connection closed: the server
// would otherwise wait for the body it announced, up to 256 KiB of it,
// before answering, so that a client without credentials that never sends
// it holds a connection until the server's ReadTimeout.
func TestRefusedCredentialsAnsweredBeforeTheBody(t *testing.T) {
	t.Setenv(tokensEnv, bridgeToken)
	url, _, _ := start(t, "-listen", "127.0.0.1:0")
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/alerts")
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /alerts HTTP/1.1\r\nHost: bridge\r\nContent-Length: 100000\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second))) // a guard, far below the 42s ReadTimeout
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err, "answered before the body came")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	_, err = r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection is closed")
}

// A request the bridge refuses for its method or its path is answered at
// once and its connection closed, as one refused for its credentials:
// the server would otherwise read the body it announced, up to 256 KiB,
// before answering, so that a client that never sends it held the
// connection until the 42s ReadTimeout, and at Ctrl-C held the shutdown
// as long.
func TestRefusedMethodOrPathAnsweredBeforeTheBody(t *testing.T) {
	url, _, _ := start(t, "-listen", "127.0.0.1:0")
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/alerts")
	for _, c := range []struct {
		request string
		code    int
	}{
		{"PUT /alerts", http.StatusMethodNotAllowed},
		{"GET /alerts", http.StatusMethodNotAllowed},
		{"POST /healthz", http.StatusMethodNotAllowed},
		{"POST /alert", http.StatusNotFound},
	} {
		t.Run(c.request, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, c.request+" HTTP/1.1\r\nHost: bridge\r\nContent-Length: 100000\r\n\r\n")
			require.NoError(t, err)
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second))) // a guard, far below the 42s ReadTimeout
			r := bufio.NewReader(conn)
			resp, err := http.ReadResponse(r, nil)
			require.NoError(t, err, "answered before the body came")
			assert.Equal(t, c.code, resp.StatusCode)
			_, err = io.Copy(io.Discard, resp.Body)
			require.NoError(t, err)
			_, err = r.ReadByte()
			assert.ErrorIs(t, err, io.EOF, "the connection is closed")
		})
	}
}
