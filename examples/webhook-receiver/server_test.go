package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/examples/internal/serverlimits"
	"github.com/outagecast/outagecast/internal/syncbuf"
	"github.com/outagecast/outagecast/redact"
)

// testDeadline is how long a test waits for the server to hang up; far
// longer than the short timeout under test, so only a missing timeout
// reaches it.
const testDeadline = 5 * time.Second

// serve runs newServer with t on a loopback port until the test ends and
// returns its address.
func serve(t *testing.T, to serverlimits.Timeouts) string {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := serverlimits.New("", newHandler(v, io.Discard, io.Discard), to)
	// A connection's goroutine outlives Close a little (it lingers before
	// closing a connection whose body it did not read): wait for it.
	var conns sync.WaitGroup
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			conns.Add(1)
		case http.StateClosed, http.StateHijacked:
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
	return ln.Addr().String()
}

// only returns timeouts where the one set by set is short and the others
// are far beyond the test's deadline.
func only(set func(*serverlimits.Timeouts)) serverlimits.Timeouts {
	to := serverlimits.Timeouts{ReadHeader: time.Hour, Read: time.Hour, Write: time.Hour, Idle: time.Hour}
	set(&to)
	return to
}

const short = 100 * time.Millisecond

// signedHead is the webhook-* header lines of a request signed now, as
// far as the receiver can tell before it has the body: it reads the body
// of such a request only.
func signedHead() string {
	return "webhook-id: msg_1\r\nwebhook-timestamp: " + strconv.FormatInt(time.Now().Unix(), 10) +
		"\r\nwebhook-signature: v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=\r\n"
}

func TestSlowClientsAreDisconnected(t *testing.T) {
	tests := []struct {
		name string
		to   serverlimits.Timeouts
		send string // what the client sends before it stalls
	}{
		{"headers never finish", only(func(to *serverlimits.Timeouts) { to.ReadHeader = short }),
			"POST / HTTP/1.1\r\nHost: receiver\r\nContent-Type: appl"},
		{"body never finishes", only(func(to *serverlimits.Timeouts) { to.Read = short }),
			"POST / HTTP/1.1\r\nHost: receiver\r\n" + signedHead() + "Content-Length: 100\r\n\r\n{\"type\":"},
		{"idle after a request", only(func(to *serverlimits.Timeouts) { to.Idle = short }),
			"GET / HTTP/1.1\r\nHost: receiver\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", serve(t, tt.to))
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, tt.send)
			require.NoError(t, err)

			require.NoError(t, conn.SetReadDeadline(time.Now().Add(testDeadline)))
			got, err := io.ReadAll(conn) // whatever the server answers, until it hangs up
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server kept the connection open")
			if strings.HasPrefix(tt.send, "GET") {
				assert.Contains(t, string(got), "405 Method Not Allowed", "the request was answered first")
			}
		})
	}
}

func TestBodyTimeoutIsRetryable(t *testing.T) {
	conn, err := net.Dial("tcp", serve(t, only(func(to *serverlimits.Timeouts) { to.Read = short })))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: receiver\r\n"+signedHead()+"Content-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(testDeadline)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, "a transient status, so the sender tries again")
}

func TestBodyTooLarge(t *testing.T) {
	addr := serve(t, defaultTimeouts)
	client := &http.Client{Timeout: testDeadline}
	defer client.CloseIdleConnections()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("POST / HTTP/1.1\r\nHost: receiver\r\n" + signedHead() + "\r\n")))
	require.NoError(t, err)
	req.RequestURI, req.URL = "", &url.URL{Scheme: "http", Host: addr, Path: "/"}
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(strings.Repeat("x", maxBody+1))), maxBody+1
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.True(t, resp.Close, "the server does not read on")
}

// A request that is not signed is refused as soon as its headers are in:
// the receiver neither waits for its body (here, one that never comes) nor
// reads up to its limit of it.
func TestUnsignedRefusedBeforeBody(t *testing.T) {
	conn, err := net.Dial("tcp", serve(t, only(func(*serverlimits.Timeouts) {})))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: receiver\r\nContent-Length: 2000000\r\n\r\n{")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(testDeadline)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered before the body came")
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestDefaultTimeoutsAreSet(t *testing.T) {
	srv := serverlimits.New("127.0.0.1:0", http.NotFoundHandler(), defaultTimeouts)
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		assert.Positive(t, d, name)
	}
	assert.Greater(t, srv.WriteTimeout, srv.ReadTimeout, "the answer comes after the whole request")
}

// The address is printed once the port is bound, never before a bind that
// fails.
func TestListensBeforeSayingSo(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	var log bytes.Buffer
	err = listenAndServe(context.Background(), nil, serverlimits.New(taken.Addr().String(), http.NotFoundHandler(), defaultTimeouts), &log)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-listen: ")
	assert.Empty(t, log.String(), "nothing said to listen")

	ctx, cancel := context.WithCancel(context.Background())
	var out syncbuf.Buffer
	done := make(chan error, 1)
	go func() {
		done <- listenAndServe(ctx, nil, serverlimits.New("127.0.0.1:0", http.NotFoundHandler(), defaultTimeouts), &out)
	}()
	listening := regexp.MustCompile(`^webhook-receiver: listening on http://(127\.0\.0\.1:\d+)/\n$`)
	require.Eventually(t, func() bool { return listening.MatchString(out.String()) }, time.Minute, 5*time.Millisecond)
	conn, err := net.Dial("tcp", listening.FindStringSubmatch(out.String())[1])
	require.NoError(t, err, "the address printed is bound")
	conn.Close()
	cancel()
	assert.NoError(t, <-done)
}

// A refused request whose body never comes (unsigned, or not a POST) is
// answered and its connection closed at once, the body unread: the server
// would otherwise wait for that body, up to 256 KiB of it, before letting
// the connection go, and a Ctrl-C meanwhile would wait out its grace
// period and exit 1, "requests cut off".
func TestRefusedRequestLetsGoOfTheConnection(t *testing.T) {
	for name, head := range map[string]string{
		"unsigned":   "POST / HTTP/1.1\r\nHost: receiver\r\nContent-Length: 100000\r\n\r\n",
		"not a POST": "PUT / HTTP/1.1\r\nHost: receiver\r\nContent-Length: 100000\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", serve(t, only(func(*serverlimits.Timeouts) {})))
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, head)
			require.NoError(t, err)
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(testDeadline)))
			r := bufio.NewReader(conn)
			resp, err := http.ReadResponse(r, nil)
			require.NoError(t, err, "answered before the body came")
			_, err = io.Copy(io.Discard, resp.Body)
			require.NoError(t, err)
			resp.Body.Close()
			_, err = r.ReadByte()
			assert.ErrorIs(t, err, io.EOF, "the connection is closed")
		})
	}
}
