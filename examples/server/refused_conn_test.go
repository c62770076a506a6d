package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/serverlimits/serverlimitstest"
)

// A request refused before its body is read (its method, its path, its
// token, its Content-Type, an update the server does not know, a
// Content-Length over -max-body) is
// answered at once and its connection closed: the server would otherwise
// read the body it announced, up to 256 KiB, before answering, so that a
// client that never sends it held the connection until the 30s
// ReadTimeout, and at SIGTERM held the shutdown as long.
func TestRefusedRequestAnsweredBeforeTheBody(t *testing.T) {
	auth := "Authorization: Bearer " + newToken + "\r\n"
	json := "Content-Type: application/json\r\n"
	for _, c := range []struct {
		name, request, header string
		setup                 func(*testAPI)
		code                  int
	}{
		{"method", "PUT /v1/updates", auth + json, nil, http.StatusMethodNotAllowed},
		{"path", "POST /v1/update", auth + json, nil, http.StatusNotFound},
		{"token", "POST /v1/updates", json, nil, http.StatusUnauthorized},
		{"content type", "POST /v1/updates", auth + "Content-Type: text/plain\r\n", nil, http.StatusUnsupportedMediaType},
		{"unknown update", "POST /v1/updates/nope/correct", auth + json, nil, http.StatusNotFound},
		{"rate limit", "POST /v1/updates", auth + json, overLimit, http.StatusTooManyRequests},
		// Content-Length over -max-body: 413 from the header alone.
		{"body too large", "POST /v1/updates", auth + json, func(ta *testAPI) { ta.maxBody = 1000 }, http.StatusRequestEntityTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			ta := newTestAPI()
			ta.maxBody = 1 << 20 // the announced body is within the limit
			if c.setup != nil {
				c.setup(ta)
			}
			srv := newHTTPServer(ta.h, slog.New(slog.NewTextHandler(io.Discard, nil)))
			serverlimitstest.AnsweredBeforeBody(t, serveOn(t, srv), c.request+" HTTP/1.1\r\nHost: outagecast\r\n"+c.header, c.code)
		})
	}
}

// serveOn serves srv on a loopback port for the test and returns its
// address. The test's end shuts srv down and waits for its connections,
// one closing after a refusal included (net/http holds it about half a
// second after the answer: see serverlimits.CloseCarefully), so that no
// goroutine of srv outlives the test; Close would not wait for them.
func serveOn(t *testing.T, srv *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(ctx))
		<-served
	})
	return ln.Addr().String()
}
