package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"

	"github.com/outagecast/outagecast/broadcast"
)

// flights are the requests in flight of a Client that ChannelClient made,
// which its Close ends: a list they join and leave under a mutex, as the
// flight they are, rather than a context.AfterFunc each on the shutter's
// context, which costs a request two allocations more.
type flights struct {
	mu   sync.Mutex
	head *flight
}

// join adds f, unless s's Close has begun: it reports whether it did.
// Close cancels s.ctx before it ends the flights (endFlights), so a flight
// that joins after that sees s.ctx done, and one that joined before is
// ended.
func (s *shutter) join(f *flight) bool {
	s.flights.mu.Lock()
	defer s.flights.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	f.next = s.flights.head
	if f.next != nil {
		f.next.prev = f
	}
	s.flights.head = f
	return true
}

// leave removes f, and reports whether Close ended it first.
func (s *shutter) leave(f *flight) bool {
	s.flights.mu.Lock()
	defer s.flights.mu.Unlock()
	if f.closed {
		return true // no longer in the list
	}
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		s.flights.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	}
	f.prev, f.next = nil, nil
	return false
}

// endFlights cancels every flight in s and empties the list; Close calls
// it once s.ctx is done. The cancels are context.CancelFuncs, which call
// nothing of this package's: they run under the mutex, so that no flight
// leaves (and its caller goes on) between being marked closed and
// cancelled, and every request is cancelled when Close returns.
func (s *shutter) endFlights() {
	s.flights.mu.Lock()
	defer s.flights.mu.Unlock()
	for f := s.flights.head; f != nil; {
		next := f.next
		f.closed, f.prev, f.next = true, nil, nil
		f.cancel()
		f = next
	}
	s.flights.head = nil
}

// flight is one request of a Client, watched by its Close until end.
// A nil *flight, of a Client no Close ends, watches nothing.
type flight struct {
	shut   *shutter
	cancel context.CancelFunc
	// In shut's flights, under its mutex: the neighbours, and whether
	// Close ended the request.
	prev, next *flight
	closed     bool
	// told: the client's Transport is net/http's, whose trace tells
	// whether the request was written; any other may have sent it
	// without a word. wrote: a try of the request was written whole.
	// Over HTTP/2 a cancelled request returns without waiting for its
	// writer, which may have sent it all: writing, a try's header was
	// written and the rest not reported yet; connected, a try got a
	// connection and its write was not reported yet. A request with a
	// body is written whole only after its header; one without may be
	// whole once connected, as net/http's trace says nothing between
	// getting an HTTP/2 connection and writing to it, where it may wait
	// for a stream (HTTP2Config.StrictMaxConcurrentRequests), unwritten.
	told      bool
	wrote     atomic.Bool
	writing   atomic.Bool
	connected atomic.Bool
	ended     bool // of the request's goroutine, as cut
	cut       bool
	trace     httptrace.ClientTrace
}

// watch returns the flight of a request of c whose context cancel ends:
// Close calls cancel until the flight ends. After Close it fails with the
// channel's closed error, permanent, and the request must not be sent.
func (c Client) watch(cancel context.CancelFunc) (*flight, error) {
	if c.shut == nil {
		return nil, nil
	}
	rt := http.DefaultTransport
	if c.Client != nil && c.Transport != nil {
		rt = c.Transport
	}
	f := &flight{shut: c.shut, cancel: cancel}
	_, f.told = rt.(*http.Transport)
	if !c.shut.join(f) {
		return nil, broadcast.Permanent(c.shut.err)
	}
	return f, nil
}

// traced returns ctx with the trace that tells f whether its request was
// written, or may be being written.
func (f *flight) traced(ctx context.Context) context.Context {
	if f == nil || !f.told {
		return ctx
	}
	f.trace.GotConn = f.gotConn
	f.trace.WroteHeaders = f.wroteHeaders
	f.trace.WroteRequest = f.wroteRequest
	return httptrace.WithClientTrace(ctx, &f.trace)
}

func (f *flight) gotConn(httptrace.GotConnInfo) { f.connected.Store(true) }

func (f *flight) wroteHeaders() { f.writing.Store(true) }

func (f *flight) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		f.wrote.Store(true)
	}
	f.writing.Store(false)
	f.connected.Store(false)
}

// end stops watching the request, and reports whether Close ended it.
func (f *flight) end() bool {
	if f == nil {
		return false
	}
	if !f.ended {
		f.ended, f.cut = true, f.shut.leave(f)
	}
	return f.cut
}

// endOnPanic, deferred while f's request is sent, cancels it and ends f
// when sending panics (a caller's Transport), and panics on: an adapter
// that recovers to fail that request only (package guard) leaves no
// flight in its Client's list for the Client's life.
func (f *flight) endOnPanic(cancel context.CancelFunc) {
	if r := recover(); r != nil {
		cancel()
		f.end()
		panic(r)
	}
}

// fail returns err, the error of f's request req, as the channel's
// closed error, permanent, when Close ended the request: err only shows
// how. It is Uncertain too when the request may have made a post the
// server took: one of a method that changes what the server holds (not
// GET, HEAD or OPTIONS), written (or answered) and its answer not read,
// or with its write not reported (HTTP/2's writer may have sent it
// whole) once its header was written, or for a request without a body
// once it got a connection, or sent through a Transport that does not say
// what it wrote.
func (f *flight) fail(req *http.Request, err error, answered bool) error {
	if err == nil || !f.end() {
		return err
	}
	closed := broadcast.Permanent(fmt.Errorf("%w (%w)", f.shut.err, err))
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return closed
	}
	if answered || f.wrote.Load() || f.writing.Load() || !f.told ||
		f.connected.Load() && (req.Body == nil || req.Body == http.NoBody) {
		return broadcast.Uncertain(closed)
	}
	return closed
}
