package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/serverlimits"
)

// A signed delivery whose Content-Length already says it is over the
// limit is refused 413, saying the limit, from its headers alone: the
// receiver neither reads up to 1 MiB of a body it will not take nor waits
// for it (here, a body that never comes).
func TestDeclaredTooLargeRefusedBeforeBody(t *testing.T) {
	conn, err := net.Dial("tcp", serve(t, only(func(*serverlimits.Timeouts) {})))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(testDeadline))) // a guard: the test fails rather than hang
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: receiver\r\n"+signedHead()+
		fmt.Sprintf("Content-Length: %d\r\n\r\n{", maxBody+1))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered before the body came")
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, string(got), "larger than 1 MiB")
	assert.True(t, resp.Close, "the server does not read on")
}
