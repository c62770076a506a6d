package httpx

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// switchServer answers the one request it gets with 101 Switching
// Protocols (and "Connection: Upgrade", which makes net/http hand over the
// connection itself as the body), then says nothing more; it holds the
// connection until the client closes it, or for hold, and sends on
// closed whether the client closed it.
func switchServer(t *testing.T, hold time.Duration) (url string, closed <-chan bool) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	out := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_, _ = io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(hold))
		_, err = io.Copy(io.Discard, br)
		out <- !errors.Is(err, os.ErrDeadlineExceeded)
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return "http://" + ln.Addr().String() + "/hook", out
}

// An answer of 101 Switching Protocols, which no channel's request asks
// for, hands over the connection as its body: a body that neither the
// body wait, nor the client's timeout, nor the request's context ends.
// Do, DoStatus and DoStatusTimeout close it at once, unread, and return
// the status, which Classify fails for good; before, the call waited for
// as long as the server kept the connection open, past every deadline.
func TestSwitchingProtocolsClosesTheConnection(t *testing.T) {
	calls := map[string]func(*http.Client, *http.Request) (*Response, error){
		"Do": func(c *http.Client, r *http.Request) (*Response, error) { return Do(Client{Client: c}, r, 0, nil) },
		"DoStatus": func(c *http.Client, r *http.Request) (*Response, error) {
			return DoStatus(Client{Client: c}, r, 0, testWait, nil)
		},
		"DoStatusTimeout": func(c *http.Client, r *http.Request) (*Response, error) {
			return DoStatusTimeout(Client{Client: &http.Client{Transport: c.Transport}}, r, 0, testWait, testDeadline, nil)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, closed := switchServer(t, 3*testDeadline)
			ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
			defer cancel()
			req, err := NewRequest(ctx, http.MethodPost, u, []byte(`{}`), "application/json")
			require.NoError(t, err)
			c := NewClient(ClientOptions{Timeout: testDeadline})
			defer c.CloseIdleConnections()

			resp, err := call(c, req)
			require.NoError(t, err)
			assert.True(t, <-closed, "the client closed the connection, rather than wait for the server to")
			assert.Equal(t, http.StatusSwitchingProtocols, resp.Status)
			assert.Empty(t, resp.Body)
			err = Classify(resp)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "no request asked to switch: failed for good")
			assert.Contains(t, err.Error(), "101 Switching Protocols")
		})
	}
}
