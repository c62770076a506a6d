// Package holdtest gives the close tests of the HTTP channels a server
// that holds each request it gets, unanswered, until the client goes away
// (as a Close that ends the request makes it) or the test ends: a request
// in flight for as long as the test needs one.
package holdtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// Handler holds every request it serves: it reads the request's body
// whole, counts the request, says so on Arrived, and answers nothing more
// until the client goes away or the test ends. Make it with New.
type Handler struct {
	// Begin makes the Handler send a 200's headers and the start of its
	// body (a Content-Length it never reaches) before it holds the
	// request: an answer under way.
	Begin bool

	arrived chan struct{}
	got     atomic.Int64
	release chan struct{}
	once    sync.Once
}

// New returns a Handler that lets go of what it holds when t ends.
func New(t testing.TB) *Handler {
	h := &Handler{arrived: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(h.letGo)
	return h
}

// Serve returns a test server of h, closed when t ends, once h has let go
// of what it holds (a server's Close waits for its handlers).
func (h *Handler) Serve(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.letGo()
		srv.Close()
	})
	return srv
}

// Arrived receives a value each time the Handler holds a request it read
// whole; it keeps one unread.
func (h *Handler) Arrived() <-chan struct{} { return h.arrived }

// Got returns how many requests the Handler served.
func (h *Handler) Got() int { return int(h.got.Load()) }

// ServeHTTP holds r (see Handler).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.got.Add(1)
	_, _ = io.ReadAll(r.Body)
	if h.Begin {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"id":`)
		w.(http.Flusher).Flush()
	}
	select {
	case h.arrived <- struct{}{}:
	case <-r.Context().Done():
		return
	case <-h.release:
		return
	}
	select {
	case <-r.Context().Done():
	case <-h.release:
	}
}

func (h *Handler) letGo() { h.once.Do(func() { close(h.release) }) }
