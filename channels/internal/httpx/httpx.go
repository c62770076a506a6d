// Package httpx is the HTTP plumbing shared by the HTTP-based channels: one
// request per call with a context, a bounded read of the response body,
// classification of a response status into success, transient or permanent
// failure (with the server's Retry-After hint), and transport errors that
// show URLs without their secrets. Do, DoStatus, DoStatusTimeout and DoStatusBuilt take the
// Redactor of the request's secrets and redact with it their errors
// and the body of every answer that is not a 2xx, before a channel parses
// it or Classify cuts a snippet from it (a body cut at its limit loses also
// the start of a secret it ends in); channels redact the errors they make
// themselves with the same Redactor.
//
// # The status line decides
//
// A channel that only needs to know whether the server took the request
// (a webhook, say) sends it with DoStatus. Once the response headers are in,
// DoStatus reads at most StatusBodyLimit of the body, enough for an error
// message, waiting at most BodyWait for it however much time the request's
// context has left, and closes it. A body that is slow, endless or huge does
// not turn a 2xx into a failure: the request was accepted, so retrying it
// would deliver it again. A non-2xx keeps its classification, with whatever
// part of the body arrived as its message. A connection whose body was not
// read to its end is closed, never reused.
//
// A channel that needs the body of a 2xx (X's tweet id, for one) reads it
// with Do instead, and bounds it itself: by Do's limit, the request's
// context and the client's timeout. Do discards what is left beyond the
// limit within BodyWait too. A 2xx whose body breaks off is an error of
// Do, and so is a refusal whose meaning the channel reads from its body
// (a 4xx other than 408, 425 and 429); a redirect, and a refusal that is
// retried (429, 5xx), keep their classification, with what part of the
// body arrived, as from DoStatus.
//
// A channel's Send typically reads as:
//
//	req, err := httpx.NewRequest(ctx, http.MethodPost, endpoint, body, "application/json")
//	resp, err := httpx.DoStatus(client, req, 0, 0, redactor)
//	if err != nil { return broadcast.Receipt{}, err }
//	if err := httpx.Classify(resp); err != nil { ... }
//
// # Limits
//
// DoStatus reads at most StatusBodyLimit (or its limit) of a body and waits
// BodyWait (or its wait) for it, and never longer than the client's Timeout
// or DoStatusTimeout's timeout allows. Do keeps at most its body limit
// (DefaultBodyLimit when 0) of a response and discards at most DrainLimit
// more, within BodyWait, before closing it: a connection whose response is
// longer than both, or slower, is closed instead of reused. Error snippets
// of a response body are at most SnippetLimit bytes. Retry-After hints are
// capped at MaxRetryAfter.
//
// # Errors
//
// Transport errors (dial, TLS, reset, timeout, a malformed response) before
// the response headers arrive, and for Do while reading the body of a 2xx
// or of a refusal judged by its body up to its limit, are returned unmarked, that is transient, but for the TLS failures
// no retry can fix (see PermanentTLS: a certificate that does not verify, a
// port that does not speak TLS), which are broadcast.Permanent. They are the
// same for every channel: the *url.Error of net/http stays in the chain for
// errors.As, its URL shown without secrets (see redact.ShowURL); the text
// names that URL, "Post \"https://api.example/…\": dial tcp …", unless
// the request's URL holds one of the Redactor's secrets (a webhook URL that
// is itself the credential), when it names the method alone, "post: dial
// tcp …". The Redactor's secrets are redacted and the text is cut to a
// Snippet. They match the context's error with errors.Is when the context
// ended the request, and context.DeadlineExceeded when the client's Timeout
// or the timeout given to DoStatusTimeout did.
// The Close of a Client that ChannelClient made ends its requests in
// flight, and each fails (for Do, also while reading a body it needs)
// with the channel's closed error (ClientOptions.Closed), broadcast.Permanent,
// wrapping the error of the request; Uncertain too when the request may
// have made a post: of a method other than GET, HEAD and OPTIONS, written
// (as net/http's Transport tells; another Transport may have sent it
// unsaid) and its answer not read. A request made after Close is not
// sent, and fails with that error, permanent. Close ends a channel's waits
// between requests made through Client.Wait and Client.Sleeper (a rate
// limit's, a token source's) too, failing with that error, permanent and
// not Uncertain.
// Classify returns nil for 2xx, a *StatusError marked transient (with
// broadcast.RetryAfter when the server sent a usable Retry-After) for 408,
// 425, 429 and 5xx except 501, and a *StatusError marked broadcast.Permanent
// for every other status, 3xx included: a redirect is not followed by the
// clients this package builds, since a channel URL that redirects is
// misconfigured.
package httpx

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"syscall"
	"time"

	"github.com/outagecast/outagecast/redact"
)

// Limits of Do and DoStatus.
const (
	// DefaultBodyLimit is the body limit Do applies when given 0.
	DefaultBodyLimit = 64 << 10
	// DrainLimit is how much of a body beyond the limit Do reads and
	// discards so that the connection can be reused.
	DrainLimit = 256 << 10
	// StatusBodyLimit is how much of a body DoStatus reads when given 0:
	// enough for an error message.
	StatusBodyLimit = 4 << 10
	// BodyWait is how long DoStatus waits for the body once the headers are
	// in, when given 0, and how long Do waits for what it discards.
	BodyWait = 2 * time.Second
)

// Response is a response whose body has been read (up to a limit) and
// closed.
type Response struct {
	Status int         // the status code, as 200
	Header http.Header // the response header
	Body   []byte      // the body, at most the limit given to Do or DoStatus
	// Truncated reports that Body is not the whole body: it was longer than
	// the limit or it did not end in time or broke off (from Do, only a
	// redirect or a refusal that is retried: see Do).
	Truncated bool
	// Location is where a 3xx points, resolved against the request's URL
	// and shown as redact.ShowURL shows it (its scheme and host: the path
	// and query may hold a token); "" for any other answer.
	Location string
}

// Do sends req, which carries its context, with client (nil:
// http.DefaultClient) and reads the response body up to limit bytes (0:
// DefaultBodyLimit), for as long as req's context and the client's timeout
// allow: use it when the body of a 2xx is needed. It discards at most
// DrainLimit more bytes, for at most BodyWait, and closes the body, so that
// the connection goes back to the pool when the body ended by then and is
// closed otherwise. It returns an error only when no response arrived or
// the body of a 2xx, or of a refusal that the channel judges by its body
// too (a 4xx other than 408, 425 and 429: whose answer it is, a
// duplicate, a post gone, a token to refresh), could not be read up to
// the limit: a retry reads it whole. The status is left to Classify. The
// body of a redirect or of a refusal that is retried (429, 5xx) that
// breaks off (or does not end in time) is not an error: the Response
// holds what arrived, with Truncated set, so that the refusal keeps its
// status and its Retry-After.
// A 101 Switching Protocols is returned without a body, its connection
// closed at once (see switched).
// Errors show the URL without its secrets (see redact.ShowURL).
func Do(client Client, req *http.Request, limit int64, rs Redactor) (*Response, error) {
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	resp, cancel, f, err := roundTrip(client, req, rs)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer f.end()
	if switched(resp) {
		return &Response{Status: resp.StatusCode, Header: resp.Header}, nil
	}
	defer closeOnPanic(resp.Body)
	body, err := io.ReadAll(pastLimit(resp.Body, limit))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if int64(len(body)) > limit {
		out.Body, out.Truncated = body[:limit], true
	}
	if err != nil {
		closeBody(resp.Body, cancel, false)
		if !statusDecides(resp.StatusCode) {
			return nil, f.fail(req, redactError(rs, fmt.Errorf("read response body: %w", redactURLError(err))), true)
		}
		// A refusal that its status alone judges (a rate limit, a 5xx
		// with its Retry-After) is what its status says, whatever became
		// of its body.
		out.Truncated = true
		out.scrub(rs, req.URL)
		return out, nil
	}
	ended := !out.Truncated
	if !ended {
		ended = discard(resp.Body, cancel, DrainLimit, BodyWait)
	}
	closeBody(resp.Body, cancel, ended)
	out.scrub(rs, req.URL)
	return out, nil
}

// statusDecides reports whether an answer of status is judged by its
// status and header alone, whatever its body says: a redirect (whose body
// scrub drops) and a refusal that is retried (Transient: a rate limit, a
// 5xx), whose wait Retry-After names. A 2xx holds what the channel needs
// (the post's id), and any other refusal is judged by its body too: whose
// answer it is (Foreign), a duplicate, a post gone, a token to refresh.
func statusDecides(status int) bool {
	return status >= 300 && status <= 399 || Transient(status)
}

// scrub redacts the body of an answer that is not a 2xx, before anything
// parses it or cuts a snippet from it (a cut could keep part of a secret
// the Redactor would no longer know): servers echo credentials in their
// error pages. A body cut short also loses what it ends with when that is
// the start of a secret (see redact.Redactor.Truncated). The body of a 2xx
// is the platform's answer, kept as it is, so that a success costs no
// redaction. The body of a 3xx is dropped: it
// only repeats where the redirect points, whose path and query may hold a
// token no Redactor knows, and no channel follows redirects; Location says
// where it points, as much as is safe to show.
func (r *Response) scrub(rs Redactor, reqURL *url.URL) {
	if r.Status >= 300 && r.Status <= 399 {
		r.Body = nil
		if loc := r.Header.Get("Location"); loc != "" && reqURL != nil {
			r.Location = redact.Redacted
			if u, err := reqURL.Parse(loc); err == nil {
				r.Location = redact.ShowURL(u.String())
			}
		}
		return
	}
	if rs != nil && (r.Status < 200 || r.Status > 299) && len(r.Body) > 0 {
		rd := rs.Redactor()
		if r.Truncated { // the cut may have left the start of a secret
			r.Body = []byte(rd.Truncated(string(r.Body)))
		} else {
			r.Body = []byte(rd.String(string(r.Body)))
		}
	}
}

// Redactor gives the redact.Redactor of a request's secrets, which Do,
// DoStatus, DoStatusTimeout and DoStatusBuilt ask for only for an error or an answer that
// is not a 2xx: one built on demand costs a success nothing. A
// *redact.Redactor is its own; nil redacts nothing.
type Redactor interface {
	Redactor() *redact.Redactor
}

// redactError returns err redacted by rs, then cut to a Snippet: the
// transport's error may quote what the server sent, such as a malformed
// header line of any length (up to the transport's header limit, 1 MB by
// default), which may echo a secret. Redacting first leaves no part of a
// secret at the cut.
func redactError(rs Redactor, err error) error {
	if rs != nil {
		err = rs.Redactor().Error(err)
	}
	msg := err.Error()
	if short := Snippet([]byte(msg)); short != msg {
		return &cutError{msg: short, err: err}
	}
	return err
}

// cutError is an error whose text was cut; it unwraps to the whole error,
// already redacted, so that errors.Is and errors.As still see its causes.
type cutError struct {
	msg string
	err error
}

func (e *cutError) Error() string { return e.msg }
func (e *cutError) Unwrap() error { return e.err }

// DoStatus sends req, which carries its context, with client (nil:
// http.DefaultClient), and lets the status line decide. Once the response
// headers are in, it reads at most limit bytes of the body (0:
// StatusBodyLimit), waiting at most wait for them (0: BodyWait) however much
// time req's context has left, and closes the body. A body that is longer,
// slower, endless or broken is not an error: the Response holds what
// arrived, with Truncated set, and Classify judges it by its status alone,
// so a 2xx stays a success. A connection whose body was not read to its end
// is closed, not reused, as is the connection of a 101 Switching
// Protocols, whose body is not read at all (see switched). DoStatus returns an error only when no response
// arrived; errors show the URL without its secrets (see redact.ShowURL).
func DoStatus(client Client, req *http.Request, limit int64, wait time.Duration, rs Redactor) (*Response, error) {
	return DoStatusTimeout(client, req, limit, wait, 0, rs)
}

// DoStatusTimeout is DoStatus with the whole request, its body included,
// also bounded by timeout (0: none), as a client's Timeout bounds it: for a
// client without a Timeout of its own, which would cost each request a
// context and a timer more, when one timer can serve both bounds. A request
// that timeout ends fails with a transient *url.Error that matches
// context.DeadlineExceeded, as one a client's Timeout ends does.
func DoStatusTimeout(client Client, req *http.Request, limit int64, wait, timeout time.Duration, rs Redactor) (*Response, error) {
	return DoStatusBuilt(client, req.Context(), func(ctx context.Context) (*http.Request, error) {
		return req.WithContext(ctx), nil
	}, limit, wait, timeout, rs)
}

// DoStatusBuilt is DoStatusTimeout of the request that build makes under
// the context it is given (DoStatusBuilt's own, which ctx ends too, as a
// request's context ends DoStatusTimeout's): made under it from the start,
// the request need not be copied to carry it (Request.WithContext), as
// DoStatusTimeout copies the request it is given, a few hundred bytes for
// each request of a fan-out. An error of build is returned as it is, and
// nothing is sent.
func DoStatusBuilt(client Client, ctx context.Context, build func(context.Context) (*http.Request, error), limit int64, wait, timeout time.Duration, rs Redactor) (*Response, error) {
	if limit <= 0 {
		limit = StatusBodyLimit
	}
	if wait <= 0 {
		wait = BodyWait
	}
	own, cancel := clientDeadline(client.Client, ctx)
	defer cancel()
	f, err := client.watch(cancel)
	if err != nil {
		return nil, err
	}
	defer f.end()
	req, err := build(f.traced(own))
	if err != nil {
		return nil, err
	}
	var timer *time.Timer
	deadline := time.Now().Add(timeout)
	if timeout > 0 {
		timer = time.AfterFunc(timeout, cancel)
	}
	resp, err := send(client.Client, req)
	if err != nil {
		if timer != nil && !timer.Stop() && ctx.Err() == nil && !f.end() {
			err = timedOut(err) // the timer cancelled the request
		}
		return nil, f.fail(req, transportError(req, err, rs), false)
	}
	if switched(resp) {
		if timer != nil {
			timer.Stop()
		}
		return &Response{Status: resp.StatusCode, Header: resp.Header}, nil
	}
	if timer == nil {
		timer = time.AfterFunc(wait, cancel)
	} else {
		timer.Reset(min(wait, time.Until(deadline)))
	}
	defer closeOnPanic(resp.Body)
	body, err := readPast(resp.Body, limit, resp.ContentLength)
	timer.Stop()
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if int64(len(body)) > limit {
		out.Body = body[:limit]
	}
	ended := err == nil && int64(len(body)) <= limit
	out.Truncated = !ended
	if !ended {
		// Cancelled first, the connection is closed rather than put back
		// in the pool with unread bytes in it, whatever the transport.
		cancel()
	}
	_ = resp.Body.Close()
	out.scrub(rs, req.URL)
	return out, nil
}

// timedOut returns err, the error of a request that DoStatusTimeout's
// timer cancelled, as a timeout: like the error of a client's Timeout, its
// cause is a net.Error whose Timeout is true and which matches
// context.DeadlineExceeded, not context.Canceled.
func timedOut(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: ue.URL, Err: timeoutError{}}
	}
	return timeoutError{}
}

// timeoutError is the cause of a request DoStatusTimeout's timeout ended.
type timeoutError struct{}

func (timeoutError) Error() string        { return "request timeout exceeded" }
func (timeoutError) Timeout() bool        { return true }
func (timeoutError) Temporary() bool      { return true }
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// roundTrip sends req under a context of its own, whose cancel ends the
// reading of the body (and with it the connection) without waiting for
// req's context, and which client's Close ends too, until f ends. The
// caller must call cancel and end f. Its error is as Do returns it
// (redacted by rs); made after Close, the request is not sent.
func roundTrip(client Client, req *http.Request, rs Redactor) (resp *http.Response, cancel context.CancelFunc, f *flight, err error) {
	ctx, cancel := clientDeadline(client.Client, req.Context())
	f, err = client.watch(cancel)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	defer f.endOnPanic(cancel)
	resp, err = send(client.Client, req.WithContext(f.traced(ctx)))
	if err != nil {
		cancel()
		return nil, nil, nil, f.fail(req, transportError(req, err, rs), false)
	}
	return resp, cancel, f, nil
}

// clientDeadline returns a context of parent's that cancel ends, with the
// client's Timeout as its deadline if the client has one: the client then
// finds an earlier deadline set and adds no timer and context of its own,
// which would cost each request ten allocations. The bound is the same
// (the response and its body), and so is the error, a transient
// *url.Error matching context.DeadlineExceeded. One context serves both
// the deadline and the request's own cancel (a timer's, Close's): a
// second, a child of the first, would cost each request three
// allocations more.
func clientDeadline(client *http.Client, parent context.Context) (context.Context, context.CancelFunc) {
	if client == nil || client.Timeout <= 0 {
		return context.WithCancel(parent)
	}
	return context.WithTimeout(parent, client.Timeout)
}

// send is client.Do (nil: http.DefaultClient), with the request URL of its
// errors shown without secrets.
func send(client *http.Client, req *http.Request) (*http.Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, redactURLError(err)
	}
	return resp, nil
}

// switched reports whether resp is a 101 Switching Protocols, and then
// closes its body, unread. No request here asks to switch, and net/http
// hands over the connection itself as the body of a 101 with "Connection:
// Upgrade": a body that neither a timer's cancel, nor the client's
// Timeout, nor the request's context ends, so that reading it would wait
// for as long as the server keeps the connection open. Closing it closes
// the connection.
func switched(resp *http.Response) bool {
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return false
	}
	_ = resp.Body.Close()
	return true
}

// discard reads and drops at most limit bytes of body within wait, and
// reports whether the body ended.
func discard(body io.Reader, cancel context.CancelFunc, limit int64, wait time.Duration) bool {
	stop := time.AfterFunc(wait, cancel)
	defer stop.Stop()
	n, err := io.Copy(io.Discard, pastLimit(body, limit))
	return err == nil && n <= limit
}

// pastLimit reads body up to one byte past limit, the byte that tells a
// body longer than limit from one of limit bytes; a limit of
// math.MaxInt64, which no body exceeds, is read as it is rather than
// overflowing into a limit of nothing.
func pastLimit(body io.Reader, limit int64) io.Reader {
	return io.LimitReader(body, limit+min(1, math.MaxInt64-limit))
}

// readPast reads body as io.ReadAll(pastLimit(body, limit)) does: until
// it ends, or to the byte past limit. A body whose length the server
// announced (size, -1 if it did not) below limit and StatusBodyLimit is
// read into a slice of that length and the byte that finds its end, rather
// than into io.ReadAll's first 512 bytes through a LimitedReader: the short
// answer of a 2xx, read once per request, then costs one small allocation.
// Any other body, and one longer than announced (a caller's Transport),
// grows the slice as io.ReadAll would.
func readPast(body io.Reader, limit, size int64) ([]byte, error) {
	n := limit + min(1, math.MaxInt64-limit) // as pastLimit
	if size >= 0 && size < min(n, StatusBodyLimit) {
		size++ // room for the byte that finds the end
	} else {
		size = min(512, n) // io.ReadAll's first buffer
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			if int64(len(b)) >= n {
				return b, nil
			}
			b = slices.Grow(b, int(min(int64(max(len(b), 512)), n-int64(len(b)))))
			b = b[:len(b):int(min(int64(cap(b)), n))]
		}
		m, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// closeOnPanic, deferred once a response is in hand, closes its body
// when reading it panics (a caller's Transport's body) and panics on: an
// adapter that recovers to fail that request only (package guard) leaves
// nothing open.
func closeOnPanic(body io.Closer) {
	if r := recover(); r != nil {
		_ = body.Close()
		panic(r)
	}
}

// closeBody closes body. When it did not end, the request is cancelled
// first, so that its connection is closed rather than put back in the pool
// with unread bytes in it (whatever the transport).
func closeBody(body io.Closer, cancel context.CancelFunc, ended bool) {
	if !ended {
		cancel()
	}
	_ = body.Close()
}

// Drain reads and discards at most DrainLimit bytes of body and closes it,
// so that the connection can be reused. Nil is ignored.
func Drain(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, DrainLimit))
	_ = body.Close()
}

// NewRequest returns a request for rawURL with body (which may be nil) and,
// when contentType is not empty, that Content-Type. The request can be
// re-sent (GetBody is set). Unlike http.NewRequestWithContext, an invalid
// URL gives an error without the URL in it.
func NewRequest(ctx context.Context, method, rawURL string, body []byte, contentType string) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, r)
	if err != nil {
		if _, perr := url.Parse(rawURL); perr != nil {
			return nil, errors.New("httpx: invalid URL") // perr and err quote the URL
		}
		return nil, fmt.Errorf("httpx: new request: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// ClientOptions configure NewClient. The zero value means the defaults.
type ClientOptions struct {
	// Timeout bounds one request, response body included; default 15s.
	Timeout time.Duration
	// MaxConnsPerHost bounds the idle connections kept per host; set it to
	// at least the number of requests made at once. Default 16.
	MaxConnsPerHost int
	// Control, if not nil, is the dialer's Control (net.Dialer.Control):
	// it may refuse a connection to an address before it is opened.
	Control func(network, address string, c syscall.RawConn) error
	// Closed is the channel's error (as "webhook: channel closed") that
	// the error of a request the Client's Close ended, or of one made
	// after it, wraps (see ChannelClient); default ErrClosed. Make it with
	// broadcast.ClosedError, so that it matches broadcast.ErrChannelClosed
	// and the Broadcaster leaves the update pending rather than failed.
	Closed error
}

// DefaultTimeout bounds one request of a channel's client, response body
// included, when ClientOptions name no Timeout.
const DefaultTimeout = 15 * time.Second

func (o ClientOptions) timeout() time.Duration { return cmp.Or(max(o.Timeout, 0), DefaultTimeout) }

// NewClient returns a client with its own transport: proxies from the
// environment, dial and TLS handshake timeouts of 10s, HTTP/2 when the
// server offers it, opts.MaxConnsPerHost idle connections per host,
// opts.Control on its dialer, and no
// redirects followed (the 3xx response is returned, which Classify makes a
// permanent error).
func NewClient(opts ClientOptions) *http.Client {
	opts.Timeout = opts.timeout()
	if opts.MaxConnsPerHost <= 0 {
		opts.MaxConnsPerHost = 16
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: opts.Control}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          max(100, opts.MaxConnsPerHost),
		MaxIdleConnsPerHost:   opts.MaxConnsPerHost,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
