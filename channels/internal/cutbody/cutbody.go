// Package cutbody answers an HTTP request with a response whose body
// breaks off, for tests of what a channel makes of an answer cut short
// after its status line (the status decides; a retry would repeat a post).
package cutbody

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Server is a test server that answers every request with Write.
type Server struct {
	URL      string
	requests atomic.Int32
}

// NewServer starts a Server answering status and partial, closed when t
// ends.
func NewServer(t testing.TB, status int, partial string) *Server {
	s := &Server{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.requests.Add(1)
		Write(w, status, partial)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Requests returns how many requests the Server answered.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Write answers with status, a Content-Length longer than partial, then
// partial, and closes the connection: the client reads the status line and
// headers whole and the body fails with io.ErrUnexpectedEOF.
func Write(w http.ResponseWriter, status int, partial string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), len(partial)+500, partial)
	_ = buf.Flush()
}
