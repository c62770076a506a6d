// Package serverlimits builds the http.Server of the example programs that
// serve files or take deliveries, with the limits that keep a slow or stuck
// client from holding a connection: without them, a client that sent a
// request's headers but not the body they announced, that stopped reading
// an answer, or that kept a connection open idle, held it (and a file
// descriptor) for as long as it liked, and a shutdown waited out its grace
// period for the first two.
package serverlimits

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
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

// CloseRefused wraps h so that an answer of status 400 or more to a
// request whose body h has not read to its end closes the connection at
// once, the rest of the body unread. Without it the server reads the body
// the request announced, up to 256 KiB of it, before it writes the answer
// and again before it lets the connection go, so that a client that never
// sends it (a stray PUT, a request to a wrong path or without
// credentials, each refused without a look at its body) gets no answer
// until the server's ReadTimeout, and a shutdown waits for it as long.
// A request answered 2xx or 3xx is left to the server, which keeps its
// connection for the next request.
//
// The connection closes as net/http closes one whose body limit was hit:
// the answer and a FIN first, the socket a moment later, so that a client
// still sending the body gets the whole answer rather than a reset that
// loses the part of it still on its way. A 413 answered after a
// handler's own http.MaxBytesReader hit its limit closes so too.
//
// h gets a shallow copy of the request (as http.MaxBytesHandler gives
// one), so that the server still sees the body it made: it closes, as
// without the wrapper, the connection of a request that expected
// "100 Continue" and whose body h did not read, and of a request whose
// body h closed with more than 256 KiB of it unread. The writer h gets
// offers io.ReaderFrom (the server's fast path for files) and
// http.Flusher, and its Unwrap method lets http.ResponseController reach
// the server's writer.
func CloseRefused(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		body := &eofReader{ReadCloser: r.Body}
		r2 := *r
		r2.Body = body
		cw := &closingWriter{ResponseWriter: w, body: body}
		h.ServeHTTP(cw, &r2)
		if r2.MultipartForm != nil && r.MultipartForm == nil {
			r.MultipartForm = r2.MultipartForm // for the server to remove its files
		}
		if cw.closing {
			// The server's reads of the rest fail at once; Connection:
			// close has told it not to read on for a next request.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now())
		}
	})
}

// eofReader is a request's body that notes when it was read to its end.
type eofReader struct {
	io.ReadCloser
	done atomic.Bool
}

func (b *eofReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done.Store(true)
	}
	return n, err
}

// closingWriter adds Connection: close to a refusal of a request whose
// body was not read to its end.
type closingWriter struct {
	http.ResponseWriter
	body    *eofReader
	wrote   bool // the final answer's status is written
	closing bool
}

func (w *closingWriter) WriteHeader(code int) {
	// An informational answer (1xx) may come before the final one.
	if !w.wrote && code >= http.StatusOK {
		w.wrote = true
		if code >= http.StatusBadRequest && !w.body.done.Load() {
			w.closing = true
			CloseCarefully(w.ResponseWriter)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *closingWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps the server's io.ReaderFrom (which sends a file with
// sendfile) within reach of io.Copy and http.ServeContent.
func (w *closingWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Flush sends what was written so far, as the server's http.Flusher does.
func (w *closingWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// CloseCarefully makes the server close the connection of w's request
// once the answer is written, and close it carefully: the answer and a
// FIN first, the socket a moment later, so that a client still sending
// the request's body gets the whole answer rather than a reset that
// loses the part of it still on its way. It sets Connection: close on w's
// header, so call it before the answer's header is written. It does not
// stop the server reading the rest of the body (up to 256 KiB of it,
// before it closes): a caller that will not wait for that body sets a
// read deadline of now too, as CloseRefused does.
//
// It tells the server's writer under w (reached through Unwrap, as
// http.ResponseController reaches it) that the request's body limit was
// hit, as http.MaxBytesReader tells it ("tells the ResponseWriter to
// close the connection after the limit has been reached"): by reading
// one byte past a limit of 0 through a reader that has it. net/http's
// conn.serve (server.go) then calls closeWriteAndWait, which sends the
// answer and a FIN and waits (rstAvoidanceDelay) before closing the
// socket; closed at once with the client's data unread, the socket
// resets the connection, and what of the answer the client had not
// received yet is lost. A handler's own http.MaxBytesReader given a
// wrapped writer cannot tell the server (its signal is an unexported
// method of the server's writer), and the server's other reason to close
// carefully (a body closed with more than 256 KiB of it unread) does not
// hold for a shorter or chunked body, nor once a handler has replaced
// the request's Body.
func CloseCarefully(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	_, _ = http.MaxBytesReader(w, io.NopCloser(strings.NewReader("x")), 0).Read(make([]byte, 1))
}

// Unwrap lets http.ResponseController reach the connection.
func (w *closingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
