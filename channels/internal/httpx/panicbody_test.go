package httpx

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panicBody is a response body whose Read panics, as a Config.HTTPClient's
// Transport may give; it counts its Close calls.
type panicBody struct{ closed *atomic.Int32 }

func (panicBody) Read([]byte) (int, error) { panic("body read") }
func (b panicBody) Close() error           { b.closed.Add(1); return nil }

type bodyTransport struct{ closed *atomic.Int32 }

func (t bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: panicBody(t),
		Request: r}, nil
}

// A panic while reading the answer (a caller's Transport's body), which
// an adapter recovers from to fail that request only (package guard),
// still closes the body, once: a connection or whatever the body holds
// is not left open for the process's life. Before, the body stayed open.
func TestPanicReadingBodyClosesIt(t *testing.T) {
	for name, do := range map[string]func(*http.Client, *http.Request){
		"Do":       func(c *http.Client, r *http.Request) { _, _ = Do(Client{Client: c}, r, 0, nil) },
		"DoStatus": func(c *http.Client, r *http.Request) { _, _ = DoStatus(Client{Client: c}, r, 0, 0, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			var closed atomic.Int32
			client := &http.Client{Transport: bodyTransport{&closed}}
			req, err := http.NewRequest(http.MethodPost, "https://example.com/api", strings.NewReader("{}"))
			require.NoError(t, err)
			var raised any
			func() {
				defer func() { raised = recover() }()
				do(client, req)
			}()
			require.Equal(t, "body read", raised, "the panic goes on to the caller's recover")
			assert.Equal(t, int32(1), closed.Load(), "the body is closed once")
		})
	}
}
