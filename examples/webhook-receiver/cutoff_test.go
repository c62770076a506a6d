package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/internal/syncbuf"
	"github.com/outagecast/outagecast/redact"
)

// A delivery whose body was still arriving when the shutdown closed its
// connection was logged as "refused … 408 Request Timeout: webhook: read
// request body: … use of closed network connection", as if it had been
// answered 408 for being slow, though its sender got no answer at all:
// the log says the shutdown cut it off and no answer was sent.
func TestDeliveryCutOffByShutdownIsSaidSo(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	log := &syncbuf.Buffer{}
	rc := newHandler(v, io.Discard, log)
	entered, returned := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		defer close(returned)
		rc.ServeHTTP(w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- serveUntil(ctx, abort, srv, ln) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(testDeadline))) // a guard: the test fails rather than hang
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: receiver\r\n"+signedHead()+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"type\":")
	require.NoError(t, err)
	<-entered // reading the body, of which the rest never comes

	cancel()     // the first signal: the delivery under way holds the shutdown
	close(abort) // the second: its connection is closed at once
	assert.ErrorIs(t, <-done, errAbandoned)
	<-returned

	said := log.String()
	assert.NotContains(t, said, "refused")
	assert.NotContains(t, said, "408")
	assert.Contains(t, said, "cut off by the shutdown")
	assert.Contains(t, said, "no answer sent")
	_, err = conn.Read(make([]byte, 1))
	assert.Error(t, err, "no answer")
}
