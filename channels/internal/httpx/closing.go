package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/outagecast/outagecast/broadcast"
)

// flight is one request of a Client, watched by its Close until end.
// A nil *flight, of a Client no Close ends, watches nothing.
type flight struct {
	shut *shutter
	stop func() bool
	// told: the client's Transport is net/http's, whose trace tells
	// whether the request was written; any other may have sent it
	// without a word.
	told  bool
	wrote atomic.Bool
	ended bool
	cut   bool
	trace httptrace.ClientTrace
}

// watch returns the flight of a request of c whose context cancel ends:
// Close calls cancel until the flight ends. After Close it fails with the
// channel's closed error, permanent, and the request must not be sent.
func (c Client) watch(cancel context.CancelFunc) (*flight, error) {
	if c.shut == nil {
		return nil, nil
	}
	if c.shut.ctx.Err() != nil {
		return nil, broadcast.Permanent(c.shut.err)
	}
	rt := http.DefaultTransport
	if c.Client != nil && c.Transport != nil {
		rt = c.Transport
	}
	f := &flight{shut: c.shut}
	_, f.told = rt.(*http.Transport)
	f.stop = context.AfterFunc(c.shut.ctx, cancel)
	return f, nil
}

// traced returns ctx with the trace that tells f whether its request was
// written.
func (f *flight) traced(ctx context.Context) context.Context {
	if f == nil || !f.told {
		return ctx
	}
	f.trace.WroteRequest = f.wroteRequest
	return httptrace.WithClientTrace(ctx, &f.trace)
}

func (f *flight) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		f.wrote.Store(true)
	}
}

// end stops watching the request, and reports whether Close ended it.
func (f *flight) end() bool {
	if f == nil {
		return false
	}
	if !f.ended {
		f.ended, f.cut = true, !f.stop()
	}
	return f.cut
}

// fail returns err, the error of f's request req, as the channel's
// closed error, permanent, when Close ended the request: err only shows
// how. It is Uncertain too when the request may have made a post the
// server took: one of a method that changes what the server holds (not
// GET, HEAD or OPTIONS), written (or answered) and its answer not read,
// or sent through a Transport that does not say what it wrote.
func (f *flight) fail(req *http.Request, err error, answered bool) error {
	if err == nil || !f.end() {
		return err
	}
	closed := broadcast.Permanent(fmt.Errorf("%w (%w)", f.shut.err, err))
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return closed
	}
	if answered || f.wrote.Load() || !f.told {
		return broadcast.Uncertain(closed)
	}
	return closed
}
