package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outagecast/outagecast/examples/internal/serverlimits"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testDeadline is how long a test waits for the server to hang up; far
// longer than the short timeout under test, so only a missing timeout
// reaches it.
const testDeadline = 5 * time.Second

const short = 100 * time.Millisecond

// only returns timeouts where the one set by set is short and the others
// are far beyond the test's deadline.
func only(set func(*serverlimits.Timeouts)) serverlimits.Timeouts {
	to := serverlimits.Timeouts{ReadHeader: time.Hour, Read: time.Hour, Write: time.Hour, Idle: time.Hour}
	set(&to)
	return to
}

// serveWith runs newServer with h and to on a loopback port until the
// test ends, and returns its address and a channel that receives once for
// each connection the server closed.
func serveWith(t *testing.T, h http.Handler, to serverlimits.Timeouts) (string, <-chan struct{}) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := serverlimits.New("", h, to)
	closed := make(chan struct{}, 16)
	var conns sync.WaitGroup
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			conns.Add(1)
		case http.StateClosed, http.StateHijacked:
			closed <- struct{}{}
			conns.Done()
		}
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		assert.ErrorIs(t, <-done, http.ErrServerClosed)
		conns.Wait()
	})
	return ln.Addr().String(), closed
}

// servePage serves a freshly written page with to.
func servePage(t *testing.T, to serverlimits.Timeouts) string {
	o := options{dir: filepath.Join(t.TempDir(), "site"), base: "http://127.0.0.1:8080/", title: "Example Status"}
	page, err := newPage(o)
	require.NoError(t, err)
	require.NoError(t, prepare(context.Background(), page, o, time.Now()))
	addr, _ := serveWith(t, newHandler(page.Root()), to)
	return addr
}

// A client that is slow or stuck cannot hold a connection: before, only
// the headers had a time limit, and a GET whose body never came, or a
// connection kept alive and idle, was held for as long as the client
// liked (a shutdown waiting out its grace period for the first).
func TestSlowClientsAreDisconnected(t *testing.T) {
	tests := []struct {
		name string
		to   serverlimits.Timeouts
		send string // what the client sends before it stalls
	}{
		{"headers never finish", only(func(to *serverlimits.Timeouts) { to.ReadHeader = short }),
			"GET / HTTP/1.1\r\nHost: status\r\nAcce"},
		{"body never finishes", only(func(to *serverlimits.Timeouts) { to.Read = short }),
			"GET / HTTP/1.1\r\nHost: status\r\nContent-Length: 100\r\n\r\n{"},
		{"idle after a request", only(func(to *serverlimits.Timeouts) { to.Idle = short }),
			"GET / HTTP/1.1\r\nHost: status\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", servePage(t, tt.to))
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, tt.send)
			require.NoError(t, err)

			require.NoError(t, conn.SetReadDeadline(time.Now().Add(testDeadline)))
			got, err := io.ReadAll(conn) // whatever the server answers, until it hangs up
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server kept the connection open")
			if strings.HasSuffix(tt.send, "\r\n\r\n") {
				assert.Contains(t, string(got), "200 OK", "the request was answered first")
			}
		})
	}
}

// A client that stops reading an answer is dropped once the answer could
// not be written in time: before, the server waited on it for ever.
func TestClientNotReadingIsDisconnected(t *testing.T) {
	chunk := []byte(strings.Repeat("x", 64<<10))
	endless := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	addr, closed := serveWith(t, endless, only(func(to *serverlimits.Timeouts) { to.Write = short }))
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /history.atom HTTP/1.1\r\nHost: status\r\n\r\n")
	require.NoError(t, err)
	select { // the client reads nothing
	case <-closed:
	case <-time.After(testDeadline):
		t.Fatal("the server kept writing to a client that reads nothing")
	}
}

func TestDefaultTimeoutsAreSet(t *testing.T) {
	srv := serverlimits.New("", http.NotFoundHandler(), defaultTimeouts)
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		assert.Positive(t, d, name)
	}
	assert.Positive(t, srv.MaxHeaderBytes)
	assert.Greater(t, srv.WriteTimeout, srv.ReadTimeout, "the answer comes after the whole request")
}
