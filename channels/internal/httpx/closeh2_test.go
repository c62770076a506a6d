package httpx

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/holdtest"
)

// heldWriteConn is a connection whose write of a frame that holds marker
// goes on the wire whole, then waits for release before it returns: the
// request is written, and the Transport's writer has not yet said so.
type heldWriteConn struct {
	net.Conn
	marker  []byte
	written chan<- struct{}
	release <-chan struct{}
	once    *sync.Once
}

func (c heldWriteConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if bytes.Contains(p, c.marker) {
		c.once.Do(func() { close(c.written) })
		<-c.release
	}
	return n, err
}

// Over HTTP/2, net/http's Transport writes a request in a goroutine of
// its own and a cancelled round trip returns without waiting for it (it
// waits for HTTP/1's writer): a request the server has whole, its
// writer not yet having said WroteRequest, may be cut by Close. It may
// have made a post, and must fail Uncertain.
func TestCloseAfterWrittenOverHTTP2IsUncertain(t *testing.T) {
	marker := []byte("outagecast-marker-of-the-body")
	for _, s := range senders()[:2] {
		t.Run(s.name, func(t *testing.T) {
			h := holdtest.New(t)
			srv := httptest.NewUnstartedServer(h)
			srv.Config.Protocols = new(http.Protocols)
			srv.Config.Protocols.SetUnencryptedHTTP2(true)
			srv.Start()
			written, release := make(chan struct{}), make(chan struct{})
			var letGo sync.Once
			var once sync.Once
			protocols := new(http.Protocols)
			protocols.SetUnencryptedHTTP2(true)
			tr := &http.Transport{Protocols: protocols, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return heldWriteConn{Conn: conn, marker: marker, written: written, release: release, once: &once}, nil
			}}
			t.Cleanup(func() {
				letGo.Do(func() { close(release) })
				srv.Close()
				tr.CloseIdleConnections()
			})
			c := ChannelClient(&http.Client{Transport: tr}, ClientOptions{Closed: errTestClosed})
			done := make(chan error, 1)
			go func() {
				req, err := NewRequest(context.Background(), http.MethodPost, srv.URL, append([]byte(`{"text":"`), append(marker, `"}`...)...), "application/json")
				if err != nil {
					done <- err
					return
				}
				switch s.name {
				case "Do":
					_, err = Do(c, req, 0, nil)
				default:
					_, err = DoStatus(c, req, 0, 0, nil)
				}
				done <- err
			}()
			<-written
			<-h.Arrived() // the server has the request whole
			require.NoError(t, c.Close())
			err := <-done
			letGo.Do(func() { close(release) })
			require.Error(t, err)
			assert.ErrorIs(t, err, errTestClosed)
			assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			assert.Truef(t, broadcast.IsUncertain(err), "IsUncertain(%q): the server has the request whole", err)
		})
	}
}
