// Package serverlimits builds the http.Server of the example programs that
// serve files or take deliveries, with the limits that keep a slow or stuck
// client from holding a connection: without them, a client that sent a
// request's headers but not the body they announced, that stopped reading
// an answer, or that kept a connection open idle, held it (and a file
// descriptor) for as long as it liked, and a shutdown waited out its grace
// period for the first two.
package serverlimits

import (
	"net/http"
	"time"
)

// MaxHeaderBytes bounds a request's headers.
const MaxHeaderBytes = 64 << 10

// Timeouts bound how long a server waits on a client. Each is the
// http.Server field of the same name with "Timeout" after it.
type Timeouts struct {
	ReadHeader time.Duration // the request's headers arrive within it
	Read       time.Duration // the whole request, body included
	Write      time.Duration // the answer is written within it, from the end of the headers
	Idle       time.Duration // a kept-alive connection waits this long for the next request
}

// New returns a server on addr (empty when the caller serves its own
// listener) for h that drops clients slower than t allows, and whose
// requests' headers are at most MaxHeaderBytes.
func New(addr string, h http.Handler, t Timeouts) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}
